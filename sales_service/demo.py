"""The demo catalogue and demo accounts that ``make run`` loads.

Titles follow real BPS products; sizes and variable widths are realistic
figures for a fixed-width extract, not official file sizes.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from sales_service.accounts import services as accounts
from sales_service.accounts.models import Domicile, Role, User
from sales_service.catalog import services as catalog
from sales_service.catalog.models import Product
from sales_service.pnbp.schedule import ProductKind
from sales_service.pnbp.segments import BuyerSegment

# Printed by `make run` and used by the tests; strong enough for the password rule (accounts.passwords).
DEMO_PASSWORD = "kopi tubruk sawah hujan"

STAFF = [
    (Role.ADMIN, "admin@demo.test", "Admin Demo"),
    (Role.OFFICER, "petugas@demo.test", "Petugas PST Demo"),
    (Role.TREASURER, "bendahara@demo.test", "Bendahara Penerimaan Demo"),
]

BUYERS = [
    dict(email="pembeli@demo.test", full_name="Pembeli Demo", segment=BuyerSegment.INDIVIDUAL,
         domicile=Domicile.INDONESIA, phone="081234567890"),
    dict(email="instansi@demo.test", full_name="Analis Bappeda Demo", segment=BuyerSegment.REGIONAL_GOVERNMENT,
         domicile=Domicile.INDONESIA, institution="Bappeda Kabupaten Contoh", phone="0272321000"),
    dict(email="perusahaan@demo.test", full_name="Riset Pasar Demo", segment=BuyerSegment.PRIVATE_COMPANY,
         domicile=Domicile.INDONESIA, institution="PT Data Nusantara", npwp="01.234.567.8-901.000"),
    dict(email="abroad@demo.test", full_name="Demo Researcher", segment=BuyerSegment.INDIVIDUAL,
         domicile=Domicile.ABROAD, institution="University of Leiden"),
]

PUBLICATIONS = [
    ("Statistik Indonesia 2025", "Statistical Yearbook of Indonesia 2025", 2025, 798, "Indonesia/Inggris"),
    ("Kabupaten Contoh Dalam Angka 2025", "Contoh Regency in Figures 2025", 2025, 342, "Indonesia/Inggris"),
    ("Indikator Kesejahteraan Rakyat 2024", "Welfare Indicators 2024", 2024, 164, "Indonesia/Inggris"),
    ("Keadaan Angkatan Kerja di Indonesia Agustus 2024", "Labor Force Situation in Indonesia August 2024",
     2024, 118, "Indonesia/Inggris"),
    ("Produk Domestik Regional Bruto Kabupaten Contoh Menurut Lapangan Usaha 2020-2024",
     "Gross Regional Domestic Product of Contoh Regency by Industry 2020-2024", 2025, 96, "Indonesia"),
    ("Statistik Harga Produsen Pertanian 2024", "Agricultural Producer Price Statistics 2024", 2024, 48, "Indonesia"),
]


def _vars(*rows: tuple[str, str, int]) -> str:
    return "\n".join(f"{n};{label};{w}" for n, label, w in rows)


_SUSENAS_VARS = _vars(
    ("R101", "Provinsi", 2), ("R102", "Kabupaten/kota", 2), ("R105", "Klasifikasi desa/kelurahan", 1),
    ("URUT", "Nomor urut rumah tangga", 8), ("R401", "Nomor urut anggota rumah tangga", 2),
    ("R403", "Hubungan dengan kepala rumah tangga", 1), ("R405", "Jenis kelamin", 1), ("R407", "Umur", 3),
    ("R610", "Partisipasi sekolah", 1), ("R612", "Ijazah tertinggi", 2), ("R701", "Bekerja seminggu terakhir", 1),
    ("R1101", "Memiliki jaminan kesehatan", 1), ("KAPITA", "Pengeluaran per kapita sebulan", 12),
    ("WEIND", "Penimbang individu", 14),
)
_SAKERNAS_VARS = _vars(
    ("KODE_PROV", "Provinsi", 2), ("KODE_KAB", "Kabupaten/kota", 2), ("K4", "Jenis kelamin", 1),
    ("K5", "Umur", 3), ("K6", "Pendidikan tertinggi", 2), ("R6A", "Bekerja seminggu terakhir", 1),
    ("R14A", "Lapangan usaha pekerjaan utama (KBLI 1 digit)", 2), ("R15A", "Jenis pekerjaan utama (KBJI)", 4),
    ("R21", "Jam kerja seluruh pekerjaan", 3), ("R24A", "Upah/gaji bersih sebulan", 10),
    ("WEIGHT", "Penimbang", 14),
)
_PODES_VARS = _vars(
    ("R101", "Provinsi", 2), ("R102", "Kabupaten/kota", 2), ("R103", "Kecamatan", 3), ("R104", "Desa/kelurahan", 3),
    ("R301", "Status pemerintahan desa", 1), ("R401A", "Jumlah penduduk laki-laki", 6),
    ("R401B", "Jumlah penduduk perempuan", 6), ("R501", "Sumber penghasilan utama", 1),
    ("R701A", "Jumlah SD/sederajat", 3), ("R704", "Jumlah puskesmas", 2), ("R1001", "Jenis permukaan jalan", 1),
    ("R1401", "Sinyal telepon seluler", 1),
)
_SE2016_VARS = _vars(
    ("PROV", "Provinsi", 2), ("KAB", "Kabupaten/kota", 2), ("KBLI", "Kategori lapangan usaha (KBLI 2015)", 5),
    ("R301", "Status badan usaha", 1), ("R501", "Jumlah pekerja", 5), ("R601", "Nilai output setahun", 15),
    ("R602", "Biaya antara setahun", 15), ("R701", "Menggunakan internet", 1), ("WEIGHT", "Penimbang", 12),
)

MICRODATA = [
    ("Susenas Maret 2024 — Kor Individu", "Susenas March 2024 — Core, individuals", 2024, "Susenas", "Maret 2024",
     "Kabupaten/kota", "SPSS (.sav)", 1_205_473, _SUSENAS_VARS),
    ("Sakernas Agustus 2024", "Sakernas August 2024 (labour force survey)", 2024, "Sakernas", "Agustus 2024",
     "Kabupaten/kota", "SPSS (.sav)", 521_830, _SAKERNAS_VARS),
    ("Potensi Desa (Podes) 2024", "Village Potential Statistics (Podes) 2024", 2024, "Podes", "2024",
     "Desa/kelurahan", "CSV", 84_276, _PODES_VARS),
    ("Sensus Ekonomi 2016 Lanjutan — Usaha Mikro Kecil", "Economic Census 2016 follow-up — micro and small firms",
     2017, "SE2016", "2017", "Kabupaten/kota", "Stata (.dta)", 301_244, _SE2016_VARS),
]

MAPS = [
    ("Peta Digital Wilkerstat Indonesia per Kecamatan", "Digital statistical work-area map of Indonesia, by kecamatan",
     "national", "kecamatan", None, None),
    ("Peta Digital Wilkerstat Indonesia per Desa", "Digital statistical work-area map of Indonesia, by desa",
     "national", "desa", None, None),
    ("Peta Digital Wilkerstat Kabupaten Klaten per Kecamatan", "Digital map of Klaten Regency, by kecamatan",
     "regency", "kecamatan", "3310", "Kabupaten Klaten"),
    ("Peta Digital Wilkerstat Kabupaten Klaten per Desa", "Digital map of Klaten Regency, by desa/kelurahan",
     "regency", "desa", "3310", "Kabupaten Klaten"),
    ("Peta Digital Wilkerstat Kota Sorong per Kelurahan", "Digital map of Sorong City, by kelurahan",
     "regency", "desa", "9271", "Kota Sorong"),
    ("Peta Digital Wilkerstat Kabupaten Tabanan per Kecamatan", "Digital map of Tabanan Regency, by kecamatan",
     "regency", "kecamatan", "5102", "Kabupaten Tabanan"),
]


def _has_user(session: Session, email: str) -> bool:
    return session.scalar(select(User.id).where(User.email == email)) is not None


def _has_product(session: Session, title: str) -> bool:
    return session.scalar(select(Product.id).where(Product.title == title)) is not None


def seed_demo(session: Session) -> list[tuple[str, str, str]]:
    """Add what is missing; return (role, e-mail, password) of every demo account."""
    logins = []
    for role, email, name in STAFF:
        if not _has_user(session, email):
            accounts.create_staff(session, email=email, password=DEMO_PASSWORD, full_name=name, role=role)
        logins.append((role.value, email, DEMO_PASSWORD))
    for buyer in BUYERS:
        if not _has_user(session, buyer["email"]):
            accounts.register_buyer(session, password=DEMO_PASSWORD, **buyer)
        logins.append((f"buyer ({buyer['segment'].value})", buyer["email"], DEMO_PASSWORD))

    for title, title_en, year, pages, language in PUBLICATIONS:
        if not _has_product(session, title):
            catalog.create_product(session, ProductKind.PUBLICATION, dict(
                title=title, title_en=title_en, year=year, pages=pages, language=language,
                description="Publikasi elektronik (PDF)."))
    for title, title_en, year, survey, period, level, file_format, records, variables in MICRODATA:
        if not _has_product(session, title):
            widths = sum(int(line.rsplit(";", 1)[1]) for line in variables.splitlines())
            catalog.create_product(session, ProductKind.MICRODATA, dict(
                title=title, title_en=title_en, year=year, survey=survey, period=period, region_level=level,
                file_format=file_format, record_count=records, full_size_bytes=records * widths,
                variables=variables,
                description=f"Data mikro {survey} {period}, satu record per unit observasi."))
    for title, title_en, coverage, level, code, name in MAPS:
        if not _has_product(session, title):
            catalog.create_product(session, ProductKind.MAP, dict(
                title=title, title_en=title_en, year=2024, coverage=coverage, level=level,
                regency_code=code, regency_name=name, file_format="Shapefile",
                description="Peta digital wilayah kerja statistik (wilkerstat) hasil pemutakhiran 2024."))
    session.flush()
    return logins
