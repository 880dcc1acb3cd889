"""Forms parse and carry CSRF; the rules themselves live in the services."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField, TextAreaField

from sales_service.accounts.models import Domicile, Role
from sales_service.pnbp.segments import BuyerSegment


class LoginForm(FlaskForm):
    email = EmailField()
    password = PasswordField()


class RegisterForm(FlaskForm):
    full_name = StringField()
    email = EmailField()
    password = PasswordField()
    segment = SelectField(choices=[s.value for s in BuyerSegment])
    domicile = SelectField(choices=[d.value for d in Domicile])
    institution = StringField()
    address = TextAreaField()
    phone = StringField()
    npwp = StringField()


class StaffForm(FlaskForm):
    full_name = StringField()
    email = EmailField()
    password = PasswordField()
    role = SelectField(choices=[r.value for r in Role if r != Role.BUYER])


class PasswordChangeForm(FlaskForm):
    current = PasswordField()
    new = PasswordField()
    repeated = PasswordField()


class ProfileForm(FlaskForm):
    full_name = StringField()
    institution = StringField()
    address = TextAreaField()
    phone = StringField()
    npwp = StringField()


class DocumentLanguageForm(FlaskForm):
    language = SelectField(choices=["id", "en"])


class SegmentRequestForm(FlaskForm):
    segment = SelectField(choices=[s.value for s in BuyerSegment])
    institution = StringField()
    reason = TextAreaField()
