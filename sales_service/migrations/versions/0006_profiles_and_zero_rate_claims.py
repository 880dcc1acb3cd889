"""buyer address and segment requests, invoice address snapshot, order use and Rp0 claim details

Orders made before this revision keep the use they were saved with (then always stated,
defaulting to commercial); new ones leave it empty until the buyer chooses.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 13:58:07.032919
"""
import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('segment_change_request',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_segment', sa.Enum('individual', 'student', 'private_company', 'central_government', 'regional_government', 'education_institution', 'foreign_mission', 'international_organisation', name='segment_request_from', native_enum=False, create_constraint=True, length=40), nullable=True),
    sa.Column('to_segment', sa.Enum('individual', 'student', 'private_company', 'central_government', 'regional_government', 'education_institution', 'foreign_mission', 'international_organisation', name='segment_request_to', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'refused', name='segment_request_status', native_enum=False, create_constraint=True, length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user_account.id'], name=op.f('fk_segment_change_request_decided_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_segment_change_request_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segment_change_request'))
    )
    with op.batch_alter_table('segment_change_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_segment_change_request_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_address', sa.String(length=500), nullable=True))

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('zero_rate_institution', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('zero_rate_institution_segment', sa.Enum('individual', 'student', 'private_company', 'central_government', 'regional_government', 'education_institution', 'foreign_mission', 'international_organisation', name='zero_rate_institution_segment', native_enum=False, create_constraint=True, length=40), nullable=True))
        batch_op.add_column(sa.Column('zero_rate_purpose', sa.Enum('government', 'research', 'community', 'international', name='zero_rate_purpose', native_enum=False, create_constraint=True, length=40), nullable=True))
        batch_op.alter_column('commercial',
               existing_type=sa.BOOLEAN(),
               nullable=True)

    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('address', sa.String(length=500), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('address')

    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.alter_column('commercial',
               existing_type=sa.BOOLEAN(),
               nullable=False)
        batch_op.drop_column('zero_rate_purpose')
        batch_op.drop_column('zero_rate_institution_segment')
        batch_op.drop_column('zero_rate_institution')

    with op.batch_alter_table('invoice', schema=None) as batch_op:
        batch_op.drop_column('buyer_address')

    with op.batch_alter_table('segment_change_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_segment_change_request_user_id'))

    op.drop_table('segment_change_request')
