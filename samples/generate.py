#!/usr/bin/env python3
"""Generate the sample CBER reviewer mailbox and its RPM directory.

Writes samples/cber-sample.mbox (mboxrd, LF line endings, 300 messages) and
samples/directory.csv (the submissions the sample mail is about, with their RPMs).

Every person, company, product, submission number and mailbox is fictitious. The
output depends only on SEED and this file, so two runs write identical bytes. For
that reason the messages are assembled as text here instead of with email.generator,
which picks MIME boundaries from the global random state and folds headers differently
between Python versions.

Usage: python3 samples/generate.py [--out-dir DIR]
"""

import argparse
import base64
import csv
import io
import quopri
import random
import textwrap
import urllib.parse
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

SEED = 8119

# ---------------------------------------------------------------------------
# Calendar and time zones (2025)
# ---------------------------------------------------------------------------

YEAR = 2025

# US federal holidays observed in 2025. Jan 20 is both Inauguration Day (a holiday for
# federal employees in the Washington, DC area) and Martin Luther King Jr. Day.
FEDERAL_HOLIDAYS = [
    date(2025, 1, 1),
    date(2025, 1, 20),
    date(2025, 2, 17),
    date(2025, 5, 26),
    date(2025, 6, 19),
    date(2025, 7, 4),
    date(2025, 9, 1),
    date(2025, 10, 13),
    date(2025, 11, 11),
    date(2025, 11, 27),
    date(2025, 12, 25),
]

# US daylight saving time in 2025 runs from Mar 9 02:00 local standard time to Nov 2
# 02:00 local daylight time. The EU summer time runs from Mar 30 01:00 UTC to Oct 26
# 01:00 UTC. All instants below are naive datetimes in UTC.
US_DST_START_LOCAL = datetime(2025, 3, 9, 2, 0)
US_DST_END_LOCAL = datetime(2025, 11, 2, 1, 0)
EU_DST_START_UTC = datetime(2025, 3, 30, 1, 0)
EU_DST_END_UTC = datetime(2025, 10, 26, 1, 0)

ZONE_STANDARD_OFFSET = {"ET": -5, "PT": -8, "CET": 1, "UTC": 0}

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
WEEKDAYS_LONG = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_LONG = [
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
]


def zone_offset(zone: str, utc: datetime) -> int:
    """Return the UTC offset in hours of `zone` at the UTC instant `utc`."""
    standard = ZONE_STANDARD_OFFSET[zone]
    if zone == "UTC":
        return 0
    if zone == "CET":
        return standard + (1 if EU_DST_START_UTC <= utc < EU_DST_END_UTC else 0)
    start_utc = US_DST_START_LOCAL - timedelta(hours=standard)
    end_utc = US_DST_END_LOCAL - timedelta(hours=standard + 1)
    return standard + (1 if start_utc <= utc < end_utc else 0)


def eastern_to_utc(local: datetime) -> datetime:
    """Convert a US Eastern wall-clock time to UTC.

    Callers never pass a time in the skipped hour (02:00-03:00 on March 9)."""
    daylight = US_DST_START_LOCAL <= local < US_DST_END_LOCAL
    return local + timedelta(hours=4 if daylight else 5)


def to_local(zone: str, utc: datetime) -> tuple[datetime, int]:
    offset = zone_offset(zone, utc)
    return utc + timedelta(hours=offset), offset


def eastern(utc: datetime) -> datetime:
    return to_local("ET", utc)[0]


def rfc5322_date(zone: str, utc: datetime, pad_day: bool = False) -> str:
    local, offset = to_local(zone, utc)
    sign = "+" if offset >= 0 else "-"
    day = f"{local.day:02d}" if pad_day else str(local.day)
    return (
        f"{WEEKDAYS[local.weekday()]}, {day} {MONTHS[local.month - 1]} {local.year} "
        f"{local:%H:%M:%S} {sign}{abs(offset):02d}00"
    )


def asctime(utc: datetime) -> str:
    """Format `utc` as the asctime date of an mbox `From ` line."""
    return (
        f"{WEEKDAYS[utc.weekday()]} {MONTHS[utc.month - 1]} {utc.day:2d} "
        f"{utc:%H:%M:%S} {utc.year}"
    )


def is_business_time(local: datetime) -> bool:
    """Return True for 8:00-16:30 on a weekday that is not a federal holiday."""
    if local.weekday() >= 5 or local.date() in FEDERAL_HOLIDAYS:
        return False
    minutes = local.hour * 60 + local.minute
    return 8 * 60 <= minutes <= 16 * 60 + 30


def business_day(local: datetime, days: int) -> datetime:
    """Move `local` by `days` calendar days, then onto a business day in the same direction."""
    step = timedelta(days=-1 if days < 0 else 1)
    moved = local + timedelta(days=days)
    while moved.weekday() >= 5 or moved.date() in FEDERAL_HOLIDAYS:
        moved += step
    return moved


class Clock:
    """Source of 2025 receipt times (UTC), chosen in US Eastern wall-clock terms."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.business_days = []
        self.weekend_days = []
        day = date(YEAR, 1, 2)
        while day.year == YEAR:
            if day in FEDERAL_HOLIDAYS:
                pass
            elif day.weekday() >= 5:
                self.weekend_days.append(day)
            else:
                self.business_days.append(day)
            day += timedelta(days=1)
        self.next_holiday = 0

    def _in_window(self, days, window):
        first, last = window
        chosen = [d for d in days if first <= d.month <= last]
        return self.rng.choice(chosen)

    def pick(self, kind: str = "any", window=(1, 12)) -> datetime:
        """Return a receipt time of `kind`: business, after_hours, weekend, holiday or any."""
        rng = self.rng
        if kind == "any":
            roll = rng.random()
            if roll < 0.80:
                kind = "business"
            elif roll < 0.89:
                kind = "after_hours"
            elif roll < 0.95:
                kind = "weekend"
            else:
                kind = "holiday"
        if kind == "business":
            day = self._in_window(self.business_days, window)
            minute = rng.randint(8 * 60 + 2, 16 * 60 + 28)
        elif kind == "after_hours":
            day = self._in_window(self.business_days, window)
            if rng.random() < 0.7:
                minute = rng.randint(16 * 60 + 31, 23 * 60 + 40)
            else:
                minute = rng.randint(5 * 60 + 10, 7 * 60 + 58)
        elif kind == "weekend":
            day = self._in_window(self.weekend_days, window)
            minute = rng.randint(7 * 60, 22 * 60)
        elif kind == "holiday":
            # Cycling through the list puts at least one message on every holiday.
            day = FEDERAL_HOLIDAYS[self.next_holiday % len(FEDERAL_HOLIDAYS)]
            self.next_holiday += 1
            minute = rng.randint(7 * 60, 21 * 60)
        else:
            raise ValueError(f"unknown receipt time kind: {kind}")
        local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59))
        return eastern_to_utc(local)

    def reply_after(self, previous: datetime, quick: bool = False) -> datetime:
        """Return a plausible time for a reply to a message received at `previous`."""
        rng = self.rng
        minutes = rng.randint(9, 150) if quick else rng.randint(40, 60 * 52)
        candidate = previous + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        local = eastern(candidate)
        if not is_business_time(local) and rng.random() < 0.75:
            # Most replies wait for the next business morning.
            day = local.date() + timedelta(days=1 if local.hour >= 8 else 0)
            while day.weekday() >= 5 or day in FEDERAL_HOLIDAYS:
                day += timedelta(days=1)
            minute = rng.randint(8 * 60 + 5, 10 * 60 + 30)
            local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, rng.randint(0, 59))
            candidate = eastern_to_utc(local)
        return min(candidate, datetime(YEAR, 12, 31, 20, 0))


# ---------------------------------------------------------------------------
# People, organizations and submissions
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Person:
    name: str
    email: str
    zone: str
    # Mail client, which decides header layout, quoting style and Message-ID form:
    # exchange (FDA Outlook), outlook, thunderbird, apple, gmail or yahoo.
    client: str
    title: str = ""
    org: str = ""
    phone: str = ""
    # Display name in address headers when it differs from `name` (FDA uses "Last, First").
    display: str = ""

    @property
    def domain(self) -> str:
        return self.email.split("@", 1)[1]

    @property
    def first(self) -> str:
        return self.name.split()[-2] if self.name.startswith("Dr.") else self.name.split()[0]

    def header_name(self) -> str:
        return self.display or self.name

    def signature(self) -> str:
        lines = [self.name.replace("Dr. ", "") + (", MD" if self.name.startswith("Dr.") else "")]
        if self.title:
            lines.append(self.title)
        if self.org:
            lines.extend(self.org.split("\n"))
        if self.phone:
            lines.append(f"Tel: {self.phone}")
        lines.append(self.email)
        return "\n".join(lines)


CBER_ORG = "Center for Biologics Evaluation and Research\nU.S. Food and Drug Administration"


def fda(first, last, title, office, phone):
    return Person(
        name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}@fda.hhs.gov",
        zone="ET",
        client="exchange",
        title=title,
        org=f"{office}\n{CBER_ORG}",
        phone=phone,
        display=f"{last}, {first}",
    )


DANA = fda("Dana", "Whitfield", "Product Reviewer", "Office of Therapeutic Products", "301-555-0117")

RPM_MARCUS = fda("Marcus", "Ellery", "Regulatory Project Manager", "Office of Therapeutic Products", "301-555-0132")
RPM_ALICIA = fda("Alicia", "Thornbury", "Regulatory Project Manager", "Office of Therapeutic Products", "301-555-0146")
RPM_KEVIN = fda("Kevin", "Oduya", "Regulatory Project Manager", "Office of Vaccines Research and Review", "301-555-0151")
RPM_RACHEL = fda("Rachel", "Penhallow", "Regulatory Project Manager", "Office of Blood Research and Review", "301-555-0163")
RPM_THOMAS = fda("Thomas", "Wexley", "Regulatory Project Manager", "Office of Therapeutic Products", "301-555-0174")
RPM_SIMONE = fda("Simone", "Carrow", "Regulatory Project Manager", "Office of Therapeutic Products", "301-555-0188")
RPM_GREGORY = fda("Gregory", "Lanning", "Regulatory Project Manager", "Office of Blood Research and Review", "301-555-0192")

HAROLD = fda("Harold", "Brennick", "Chemist, CMC Reviewer", "Office of Therapeutic Products", "301-555-0121")
LENA = fda("Lena", "Ostrowski", "Medical Officer", "Office of Clinical Evaluation", "301-555-0124")
VICTOR = fda("Victor", "Amato", "Branch Chief", "Office of Therapeutic Products", "301-555-0109")
NOAH = fda("Noah", "Sterling", "Labeling Reviewer", "Advertising and Promotional Labeling Branch", "301-555-0138")
IRENE = fda("Irene", "Castellanos", "Consumer Safety Officer", "Office of Compliance and Biologics Quality", "301-555-0155")
JOYCE = fda("Joyce", "Nakamura", "Program Support Specialist", "Office of Therapeutic Products", "301-555-0102")

CBERSPIND = Person("CBER SPIND", "CBERSPIND@fda.hhs.gov", "ET", "exchange", display="CBER SPIND")

# Internal senders of announcements. The mailbox names are invented.
CBER_NEWS = Person("CBER This Week", "cber-thisweek@fda.hhs.gov", "ET", "exchange")
IT_DESK = Person("FDA IT Service Desk", "itservicedesk@fda.hhs.gov", "ET", "exchange")
LEARNING = Person("FDA Learning Portal", "learning-noreply@fda.hhs.gov", "ET", "exchange")
FOOD = Person("White Oak Food Services", "wo-foodservices@fda.hhs.gov", "ET", "exchange")
FACILITIES = Person("White Oak Facilities", "wo-facilities@fda.hhs.gov", "ET", "exchange")
SECURITY = Person("FDA Cybersecurity Awareness", "cyberaware@fda.hhs.gov", "ET", "exchange")
SOCIAL = Person("OTP Social Committee", "otp-social@fda.hhs.gov", "ET", "exchange")
HR = Person("CBER Human Capital", "cber-humancapital@fda.hhs.gov", "ET", "exchange")
VENDOR = Person("LabSupply Webinars", "events@labsupply.example", "ET", "outlook")
SUMMIT = Person("BioReg Summit 2025", "info@bioreg-summit.example", "ET", "outlook")


def sponsor(name, email, zone, client, title, company, phone):
    return Person(name, email, zone, client, title, company, phone)


ACME = "Acme Biologics, Inc."
NORTHWIND = "Northwind Therapeutics"
HALCYON = "Halcyon Vaccines SA"
BLUEFIN = "Bluefin Plasma Products, LLC"
CEDAR = "Cedar Ridge Genetics, Inc."
MARIGOLD = "Marigold Cell Sciences"
IVDSYS = "IVD Systems Corporation"
LUMEN = "Lumen Diagnostics, Inc."
TIDEWATER = "Tidewater Medical Devices"

JENNIFER = sponsor("Jennifer Castellano", "jcastellano@acmebio.example", "ET", "outlook", "Director, Regulatory Affairs", ACME, "617-555-0144")
OWEN = sponsor("Owen Pryce", "opryce@acmebio.example", "ET", "outlook", "Senior Manager, Regulatory CMC", ACME, "617-555-0172")
RAVI = sponsor("Ravi Sundaram", "ravi.sundaram@northwind-tx.example", "PT", "apple", "Vice President, Regulatory Affairs", NORTHWIND, "415-555-0129")
MEGAN = sponsor("Megan Holloway", "megan.holloway@northwind-tx.example", "PT", "outlook", "Regulatory Affairs Associate", NORTHWIND, "415-555-0183")
CARLA = sponsor("Carla Mendes", "cmendes@northwindtx.example", "PT", "outlook", "Quality Assurance Manager", NORTHWIND, "415-555-0110")
ZOE = sponsor("Zoë Lefèvre", "zoe.lefevre@halcyonvax.example", "CET", "outlook", "Regulatory Affairs Manager, US Submissions", HALCYON, "+32 2 555 01 48")
MARKUS = sponsor("Markus Brandl", "markus.brandl@halcyonvax.example", "CET", "thunderbird", "Head of Quality Control", HALCYON, "+32 2 555 01 66")
DANIEL = sponsor("Daniel Okafor", "dokafor@bluefin-plasma.example", "ET", "thunderbird", "Manager, Regulatory Affairs", BLUEFIN, "919-555-0131")
SOFIA = sponsor("Sofía Ibáñez", "sibanez@bluefin-plasma.example", "ET", "thunderbird", "Regulatory Specialist", BLUEFIN, "919-555-0157")
LAURA = sponsor("Laura Kim", "lkim@cedarridge-gen.example", "PT", "outlook", "Associate Director, Regulatory Affairs", CEDAR, "858-555-0176")
PETER = sponsor("Peter Vance", "pvance@cedarridge-gen.example", "PT", "thunderbird", "Clinical Program Lead", CEDAR, "858-555-0104")
NADIA = sponsor("Nadia Farouk", "nfarouk@marigoldcell.example", "ET", "thunderbird", "Head of Regulatory Affairs", MARIGOLD, "410-555-0168")
BERNARD = sponsor("Bernard Quist", "bquist.regconsult@gmail.com", "ET", "gmail", "Regulatory Consultant to Marigold Cell Sciences", "", "443-555-0191")
TREVOR = sponsor("Trevor Lindqvist", "tlindqvist@ivd-systems.example", "PT", "outlook", "Regulatory Affairs Manager", IVDSYS, "503-555-0115")
ANGELA = sponsor("Angela Marsh", "amarsh@lumendx.example", "ET", "outlook", "Director, Regulatory and Clinical Affairs", LUMEN, "614-555-0127")
COLIN = sponsor("Colin Baptiste", "tidewater.regulatory@yahoo.com", "ET", "yahoo", "Regulatory Consultant", TIDEWATER, "757-555-0139")

# Physicians who request single patient expanded access (SPIND) or emergency use.
DR_KOWALCZYK = sponsor("Dr. Anne Kowalczyk", "akowalczyk@riverbend-health.example", "ET", "outlook", "Attending Physician, Hematology and Oncology", "Riverbend Health System", "216-555-0153")
DR_ACHEBE = sponsor("Dr. Samuel Achebe", "sachebe@lakeshore-childrens.example", "ET", "outlook", "Pediatric Immunology", "Lakeshore Children's Hospital", "312-555-0119")
DR_DELGADO = sponsor("Dr. Maria Delgado", "maria.delgado.md@gmail.com", "PT", "gmail", "Internal Medicine", "", "559-555-0162")
DR_LIN = sponsor("Dr. Howard Lin", "hlin@stcatherine-med.example", "ET", "thunderbird", "Transplant Infectious Diseases", "St. Catherine Medical Center", "973-555-0185")
DR_RAHIMI = sponsor("Dr. Fatima Rahimi", "fatima.rahimi@yahoo.com", "ET", "yahoo", "Neurology", "", "704-555-0147")
DR_SORENSEN = sponsor("Dr. Erik Sørensen", "esorensen@northfield-univ.example", "ET", "apple", "Professor of Medicine, Division of Cellular Therapy", "Northfield University Hospital", "612-555-0171")


@dataclass(frozen=True)
class Submission:
    stn: str           # as written in directory.csv
    number: str        # digits used in mail ("125742", "23456", "251234")
    kind: str          # BLA, IND, BK, BP, K
    product: str
    company: str
    # The sponsor's own mail domains. Contacts who write from gmail.com or yahoo.com are
    # not listed, because those domains identify no sponsor.
    domains: tuple
    rpm: Person
    contacts: tuple
    window: tuple      # months (first, last) of 2025 the correspondence falls in
    supplements: tuple = ()


ACB221 = Submission("125742", "125742", "BLA", "ACB-221 (oxtrelimab) injection", ACME, ("acmebio.example",), RPM_MARCUS, (JENNIFER, OWEN), (1, 12), (0, 12, 13))
NWT301 = Submission("125809", "125809", "BLA", "NWT-301 (fentocabtagene autoleucel)", NORTHWIND, ("northwind-tx.example", "northwindtx.example"), RPM_ALICIA, (RAVI, MEGAN, CARLA), (2, 11), (0,))
HVX12 = Submission("125816", "125816", "BLA", "HVX-12 RSV prefusion F vaccine, adjuvanted", HALCYON, ("halcyonvax.example",), RPM_KEVIN, (ZOE, MARKUS), (3, 12), (0,))
BFPIG = Submission("125777", "125777", "BLA", "Immune Globulin Intravenous (Human) 10% (BFP-IG10)", BLUEFIN, ("bluefin-plasma.example",), RPM_RACHEL, (DANIEL, SOFIA), (1, 12), (8, 15, 16))
CRG4 = Submission("IND 012345", "012345", "IND", "CRG-4 (AAV9 gene therapy)", CEDAR, ("cedarridge-gen.example",), RPM_THOMAS, (LAURA, PETER), (1, 12))
MCS07 = Submission("IND 023456", "23456", "IND", "MCS-07 (allogeneic mesenchymal stromal cells)", MARIGOLD, ("marigoldcell.example",), RPM_SIMONE, (NADIA, BERNARD), (1, 12))
DONORLEDGER = Submission("BK251234", "251234", "BK", "DonorLedger 4.2 blood establishment computer software", IVDSYS, ("ivd-systems.example",), RPM_GREGORY, (TREVOR,), (2, 10))
LUMENSCREEN = Submission("BP250001", "250001", "BP", "LumenScreen HTLV-I/II antibody assay", LUMEN, ("lumendx.example",), RPM_RACHEL, (ANGELA,), (1, 12))
TWCELL = Submission("K251234", "251234", "K", "TW-Cell 200 closed cell processing system", TIDEWATER, ("tidewater-med.example",), RPM_GREGORY, (COLIN,), (4, 11))

SUBMISSIONS = [ACB221, NWT301, HVX12, BFPIG, CRG4, MCS07, DONORLEDGER, LUMENSCREEN, TWCELL]
BLAS = [ACB221, NWT301, HVX12, BFPIG]
INDS = [CRG4, MCS07]
DEVICES = [DONORLEDGER, LUMENSCREEN, TWCELL]


def stn_ref(rng: random.Random, sub: Submission, supplement=None) -> str:
    """Return the submission number in one of the forms sponsors and staff write."""
    n = sub.number
    if sub.kind == "BLA":
        s = supplement if supplement is not None else rng.choice(sub.supplements)
        forms = [f"STN {n}/{s}", f"BL {n}/{s}", f"BLA {n}", f"STN {n}", f"BLA STN {n}/{s}", f"STN BL {n}/{s}"]
        if s != 0:
            forms += [f"BL {n}/{s}", f"supplement {n}/{s}"]
        return rng.choice(forms)
    if sub.kind == "IND":
        short = n.lstrip("0")
        return rng.choice([f"IND {n}", f"IND {short}", f"IND# {short}", f"IND #{n}", f"IND {short}"])
    if sub.kind == "K":
        return rng.choice([f"K{n}", f"510(k) K{n}", f"510(k) K{n}"])
    return f"{sub.kind}{n}"


# ---------------------------------------------------------------------------
# Header encoding
# ---------------------------------------------------------------------------

# RFC 2047 section 5(3): characters allowed unencoded inside a Q-encoded word.
Q_SAFE = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")


def encode_words(text: str, mode: str = "Q") -> list[str]:
    """Encode `text` as RFC 2047 UTF-8 encoded words of at most 75 characters each."""
    words = []
    chunk = []

    def word(chars):
        raw = "".join(chars).encode("utf-8")
        if mode == "B":
            return "=?UTF-8?B?" + base64.b64encode(raw).decode() + "?="
        encoded = []
        for byte in raw:
            if byte == 0x20:
                encoded.append("_")
            elif byte in Q_SAFE:
                encoded.append(chr(byte))
            else:
                encoded.append(f"={byte:02X}")
        return "=?UTF-8?Q?" + "".join(encoded) + "?="

    for ch in text:
        if chunk and len(word(chunk + [ch])) > 75:
            words.append(word(chunk))
            chunk = []
        chunk.append(ch)
    if chunk:
        words.append(word(chunk))
    return words


def is_ascii(text: str) -> bool:
    return all(ord(c) < 128 for c in text)


def format_address(person: Person) -> str:
    name = person.header_name()
    if not is_ascii(name):
        return f"{' '.join(encode_words(name))} <{person.email}>"
    if any(c in name for c in ',.()"'):
        return f'"{name}" <{person.email}>'
    return f"{name} <{person.email}>"


def fold(name: str, value: str, separator: str = " ") -> str:
    """Fold a header at `separator` boundaries so lines stay near 78 characters."""
    parts = value.split(separator)
    lines = [f"{name}: {parts[0]}"]
    for part in parts[1:]:
        if len(lines[-1]) + len(separator) + len(part) > 78:
            lines[-1] += separator.rstrip()
            lines.append(" " + part)
        else:
            lines[-1] += separator + part
    return "\n".join(lines)


def address_header(name: str, people) -> str:
    """Format an address list header, folding only between addresses."""
    lines = [f"{name}: "]
    for index, person in enumerate(people):
        address = format_address(person) + ("," if index < len(people) - 1 else "")
        if lines[-1].endswith(": "):
            lines[-1] += address
        elif len(lines[-1]) + 1 + len(address) > 78:
            lines.append(" " + address)
        else:
            lines[-1] += " " + address
    return "\n".join(lines)


def subject_header(subject: str, mode: str) -> str:
    if is_ascii(subject):
        return fold("Subject", subject)
    return "Subject: " + "\n ".join(encode_words(subject, mode))


def rfc2231_param(name: str, value: str) -> str:
    """Encode a parameter with RFC 2231 continuations (name*0*=UTF-8''...; name*1*=...)."""
    encoded = urllib.parse.quote(value, safe="")
    pieces = []
    while encoded:
        cut = min(52, len(encoded))
        # Never split a %XX escape across two continuations.
        while "%" in encoded[max(0, cut - 2):cut]:
            cut -= 1
        pieces.append(encoded[:cut])
        encoded = encoded[cut:]
    out = []
    for i, piece in enumerate(pieces):
        prefix = "UTF-8''" if i == 0 else ""
        out.append(f"{name}*{i}*={prefix}{piece}")
    return ";\n\t".join(out)


# ---------------------------------------------------------------------------
# MIME parts
# ---------------------------------------------------------------------------

@dataclass
class Attachment:
    filename: str
    data: bytes
    content_type: str = "application/pdf"
    # How the filename parameter is written: plain, rfc2047 (Outlook style) or rfc2231.
    name_style: str = "plain"


@dataclass
class Part:
    """A rendered MIME entity: its header lines and body text."""
    headers: list
    body: str


def text_part(text: str, client: str, subtype: str = "plain") -> Part:
    if is_ascii(text):
        charset = '"us-ascii"' if client in ("exchange", "outlook") else "US-ASCII"
        ctype = f"text/{subtype}; charset={charset}"
        if subtype == "plain" and client in ("thunderbird", "apple"):
            ctype = f"text/plain; charset=UTF-8; format=flowed"
        encoding = "7bit"
        body = text
        if any(len(line) > 76 for line in text.split("\n")):
            encoding = "quoted-printable"
            body = qp(text)
    elif client in ("thunderbird", "apple"):
        ctype = f"text/{subtype}; charset=UTF-8"
        encoding = "8bit"
        body = text
    else:
        ctype = f'text/{subtype}; charset="utf-8"'
        encoding = "quoted-printable"
        body = qp(text)
    return Part([f"Content-Type: {ctype}", f"Content-Transfer-Encoding: {encoding}"], body)


def qp(text: str) -> str:
    encoded = quopri.encodestring(text.encode("utf-8")).decode("ascii")
    return encoded


def b64_lines(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").rstrip("\n")


def attachment_part(att: Attachment) -> Part:
    if att.name_style == "rfc2231":
        ctype = f"Content-Type: {att.content_type};\n\t" + rfc2231_param("name", att.filename)
        disp = "Content-Disposition: attachment;\n\t" + rfc2231_param("filename", att.filename)
    elif att.name_style == "rfc2047" or not is_ascii(att.filename):
        encoded = "\n\t".join(encode_words(att.filename, "B"))
        ctype = f'Content-Type: {att.content_type};\n\tname="{encoded}"'
        disp = f'Content-Disposition: attachment;\n\tfilename="{encoded}"'
    else:
        ctype = f'Content-Type: {att.content_type};\n\tname="{att.filename}"'
        disp = f'Content-Disposition: attachment;\n\tfilename="{att.filename}"'
    headers = [ctype, disp, "Content-Transfer-Encoding: base64"]
    return Part(headers, b64_lines(att.data))


def boundary(rng: random.Random, client: str) -> str:
    if client in ("exchange", "outlook"):
        return f"----=_NextPart_000_{rng.randrange(16**4):04X}_01DB{rng.randrange(16**4):04X}.{rng.randrange(16**8):08X}"
    if client == "thunderbird":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        return "------------" + "".join(rng.choice(alphabet) for _ in range(24))
    if client == "apple":
        return "Apple-Mail=_" + uuid_like(rng).upper()
    if client == "gmail":
        return "000000000000" + f"{rng.getrandbits(64):016x}"[:16]
    return f"----=_Part_{rng.randrange(10**6)}_{rng.randrange(10**9)}.{rng.randrange(10**12)}"


def multipart(subtype: str, parts, rng, client, extra_params: str = "") -> Part:
    mark = boundary(rng, client)
    lines = []
    if client in ("exchange", "outlook") and subtype == "mixed":
        lines.append("This is a multi-part message in MIME format.\n")
    for part in parts:
        lines.append(f"--{mark}")
        lines.extend(part.headers)
        lines.append("")
        lines.append(part.body)
        lines.append("")
    lines.append(f"--{mark}--")
    header = f'Content-Type: multipart/{subtype};{extra_params}\n\tboundary="{mark}"'
    return Part([header], "\n".join(lines))


def uuid_like(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def fake_pdf(rng: random.Random, title: str, size: int) -> bytes:
    """Build PDF-like bytes: a real PDF header, objects and trailer around random stream data."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
    ]
    stream = rng.getrandbits(8 * size).to_bytes(size, "big")
    safe_title = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    offsets.append(out.tell())
    out.write(b"4 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % size)
    out.write(stream)
    out.write(b"\nendstream\nendobj\n")
    offsets.append(out.tell())
    out.write(b"5 0 obj\n<< /Title (" + safe_title + b") /Producer (Sample Writer 2.1) >>\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 6\n0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size 6 /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def pdf(rng: random.Random, filename: str, name_style: str = "plain", low=1500, high=4200) -> Attachment:
    title = filename.rsplit(".", 1)[0]
    return Attachment(filename, fake_pdf(rng, title, rng.randint(low, high)), name_style=name_style)


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------

@dataclass
class Mail:
    category: str
    sender: Person
    to: list
    subject: str
    received: datetime
    body: str
    cc: list = field(default_factory=list)
    bcc: list = field(default_factory=list)
    html: str = ""          # HTML alternative, or empty for plain text only
    attachments: list = field(default_factory=list)
    message_id: str = ""
    in_reply_to: str = ""
    references: list = field(default_factory=list)
    importance_high: bool = False
    smime: bytes = b""      # an enveloped-data body replaces everything else


def make_message_id(rng: random.Random, person: Person, sent: datetime) -> str:
    client = person.client
    if client == "exchange":
        return f"<{rng.getrandbits(96):024X}@FDSWPMBX{rng.randint(1, 24):02d}.fda.hhs.gov>"
    if client == "outlook":
        return f"<{rng.getrandbits(64):016x}${rng.getrandbits(32):08x}@{person.domain}>"
    if client == "thunderbird":
        return f"<{uuid_like(rng)}@{person.domain}>"
    if client == "apple":
        return f"<{uuid_like(rng).upper()}@{person.domain}>"
    if client == "gmail":
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+_-"
        return "<CA" + "".join(rng.choice(alphabet) for _ in range(40)) + "@mail.gmail.com>"
    millis = int((sent - datetime(1970, 1, 1)).total_seconds() * 1000)
    return f"<{rng.randint(10**8, 10**9)}.{rng.randint(10**5, 10**6)}.{millis}@mail.yahoo.com>"


SPONSOR_RELAYS = {
    "acmebio.example": ("smtp.acmebio.example", "203.0.113.45"),
    "northwind-tx.example": ("mx-out.northwind-tx.example", "198.51.100.71"),
    "northwindtx.example": ("mail.northwindtx.example", "198.51.100.72"),
    "halcyonvax.example": ("relay1.halcyonvax.example", "203.0.113.118"),
    "bluefin-plasma.example": ("mail.bluefin-plasma.example", "198.51.100.20"),
    "cedarridge-gen.example": ("smtp-out.cedarridge-gen.example", "203.0.113.201"),
    "marigoldcell.example": ("mail.marigoldcell.example", "198.51.100.9"),
    "ivd-systems.example": ("outbound.ivd-systems.example", "203.0.113.88"),
    "lumendx.example": ("mail.lumendx.example", "198.51.100.140"),
    "riverbend-health.example": ("smtp.riverbend-health.example", "203.0.113.60"),
    "lakeshore-childrens.example": ("mx2.lakeshore-childrens.example", "198.51.100.33"),
    "stcatherine-med.example": ("mail.stcatherine-med.example", "203.0.113.17"),
    "northfield-univ.example": ("smtp.northfield-univ.example", "198.51.100.199"),
    "labsupply.example": ("mta7.mailer.labsupply.example", "203.0.113.250"),
    "bioreg-summit.example": ("send.bioreg-summit.example", "198.51.100.250"),
    "gmail.com": ("mail-qk1-f174.google.com", "198.51.100.174"),
    "yahoo.com": ("sonic311-21.consmr.mail.bf2.yahoo.com", "203.0.113.211"),
}


def smtp_id(rng: random.Random, length: int = 14) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTVWXYZ0123456789abcdefghkmnpqrstvwxyz"
    return "".join(rng.choice(alphabet) for _ in range(length))


def received_chain(rng: random.Random, mail: Mail, sent: datetime) -> list[str]:
    """Build the Received headers, newest first. The first is FDA's final hop, dated with the receipt time."""
    receipt = mail.received
    domain = mail.sender.domain
    hub = rng.randint(1, 4)

    # Internal mail passes from an Exchange mailbox server through a hub to the gateway.
    if domain == "fda.hhs.gov":
        mbx = rng.randint(1, 24)
        return [
            f"Received: from FDSWPHUB{hub:02d}.fda.hhs.gov (10.40.8.{20 + hub}) by\n"
            f" mail.fda.hhs.gov (10.40.8.10) with Microsoft SMTP Server\n"
            f" (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
            f" 15.2.1544.14; {rfc5322_date('ET', receipt)}",
            f"Received: from FDSWPMBX{mbx:02d}.fda.hhs.gov ([10.40.9.{30 + mbx}]) by\n"
            f" FDSWPHUB{hub:02d}.fda.hhs.gov ([10.40.8.{20 + hub}]) with mapi id\n"
            f" 15.02.1544.014; {rfc5322_date('ET', sent)}",
        ]

    # External mail: the sender's relay, FDA's inbound MX, then the FDA mail server.
    relay_host, relay_ip = SPONSOR_RELAYS[domain]
    tz_name = "EDT" if zone_offset("ET", receipt) == -4 else "EST"
    mx = rng.randint(1, 3)
    middle = receipt - timedelta(seconds=rng.randint(1, 4))
    chain = [
        f"Received: from mx-in{mx}.fda.hhs.gov (mx-in{mx}.fda.hhs.gov [10.40.2.{10 + mx}])\n"
        f"\tby mail.fda.hhs.gov (Postfix) with ESMTPS id 4Z{smtp_id(rng, 12)}\n"
        f"\tfor <{DANA.email}>; {rfc5322_date('ET', receipt)} ({tz_name})",
        f"Received: from {relay_host} ({relay_host} [{relay_ip}])\n"
        f"\tby mx-in{mx}.fda.hhs.gov with ESMTPS id {smtp_id(rng)};\n"
        f"\t{rfc5322_date('UTC', middle, pad_day=True)}",
    ]

    # The oldest hop: a webmail front end, or the sender's workstation submitting to the relay.
    if mail.sender.client in ("gmail", "yahoo"):
        chain.append(
            f"Received: by {'mail-qk1-f174.google.com' if domain == 'gmail.com' else 'sonic311-21.consmr.mail.bf2.yahoo.com'}"
            f" with HTTP;\n\t{rfc5322_date('ET', sent)}"
        )
    else:
        workstation = f"{domain.split('.')[0].upper()[:6]}-LT-{rng.randint(100, 999)}"
        chain.append(
            f"Received: from {workstation}.corp.{domain} ([10.{rng.randint(1, 30)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}])\n"
            f"\tby {relay_host} with ESMTPSA id {smtp_id(rng, 10)};\n"
            f"\t{rfc5322_date(mail.sender.zone, sent)}"
        )
    return chain


def thread_index(rng: random.Random) -> str:
    return base64.b64encode(rng.getrandbits(8 * 22).to_bytes(22, "big")).decode()


def render(mail: Mail, rng: random.Random) -> str:
    """Render `mail` as RFC 5322 text with LF line endings."""
    person = mail.sender
    client = person.client
    sent = mail.received - timedelta(seconds=rng.randint(2, 75))
    if not mail.message_id:
        mail.message_id = make_message_id(rng, person, sent)

    body = build_body(mail, rng)

    lines = [f"Return-Path: <{person.email}>"]
    lines.extend(received_chain(rng, mail, sent))
    date_header = f"Date: {rfc5322_date(person.zone, sent, pad_day=client in ('yahoo', 'gmail'))}"
    refs = " ".join(mail.references)

    if client in ("exchange", "outlook"):
        lines.append(f"From: {format_address(person)}")
        lines.append(address_header("To", mail.to))
        if mail.cc:
            lines.append(address_header("CC", mail.cc))
        if mail.bcc:
            lines.append(address_header("BCC", mail.bcc))
        lines.append(subject_header(mail.subject, "Q"))
        if client == "exchange":
            topic = mail.subject
            for prefix in ("RE: ", "FW: "):
                topic = topic.removeprefix(prefix)
            if is_ascii(topic):
                lines.append(fold("Thread-Topic", topic))
            lines.append(f"Thread-Index: {thread_index(rng)}")
        lines.append(date_header)
        lines.append(f"Message-ID: {mail.message_id}")
        if refs:
            lines.append(fold("References", refs))
        if mail.in_reply_to:
            lines.append(f"In-Reply-To: {mail.in_reply_to}")
        if mail.importance_high:
            lines.append("Importance: high")
            lines.append("X-Priority: 1")
        lines.append("Accept-Language: en-US")
        lines.append("Content-Language: en-US")
        lines.append(f"X-MS-Has-Attach: {'yes' if mail.attachments else ''}".rstrip())
        if client == "exchange":
            lines.append("X-MS-Exchange-Organization-AuthAs: Internal")
        lines.append("X-Mailer: Microsoft Outlook 16.0" if rng.random() < 0.7 else "X-Mailer: Microsoft Outlook 16.0.18129")
        lines.extend(body.headers)
        lines.append("MIME-Version: 1.0")
    elif client in ("thunderbird", "apple"):
        if client == "thunderbird":
            lines.append(f"Message-ID: {mail.message_id}")
            lines.append(date_header)
            lines.append("MIME-Version: 1.0")
            version = rng.choice(["128.5.2", "128.6.0", "128.8.1", "115.16.3"])
            platform = rng.choice(["Windows NT 10.0; Win64; x64", "Macintosh; Intel Mac OS X 10.15"])
            lines.append(f"User-Agent: Mozilla/5.0 ({platform}; rv:{version.split('.')[0]}.0) Gecko/20100101 Thunderbird/{version}")
            lines.append(subject_header(mail.subject, "B"))
            lines.append("Content-Language: en-US")
            lines.append(address_header("To", mail.to))
            if mail.cc:
                lines.append(address_header("Cc", mail.cc))
            if refs:
                lines.append(fold("References", refs))
            lines.append(f"From: {format_address(person)}")
            if mail.in_reply_to:
                lines.append(f"In-Reply-To: {mail.in_reply_to}")
        else:
            lines.append(f"From: {format_address(person)}")
            lines.extend(body.headers)
            lines.append("Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))")
            lines.append(subject_header(mail.subject, "Q"))
            lines.append(date_header)
            if refs:
                lines.append(fold("References", refs))
            lines.append(address_header("To", mail.to))
            if mail.cc:
                lines.append(address_header("Cc", mail.cc))
            if mail.in_reply_to:
                lines.append(f"In-Reply-To: {mail.in_reply_to}")
            lines.append(f"Message-Id: {mail.message_id}")
            lines.append("X-Mailer: Apple Mail (2.3826.400.131.1.6)")
        if client == "thunderbird":
            lines.extend(body.headers)
    else:
        lines.append("MIME-Version: 1.0")
        lines.append(date_header)
        if refs:
            lines.append(fold("References", refs))
        if mail.in_reply_to:
            lines.append(f"In-Reply-To: {mail.in_reply_to}")
        lines.append(f"Message-ID: {mail.message_id}")
        lines.append(subject_header(mail.subject, "B"))
        lines.append(f"From: {format_address(person)}")
        lines.append(address_header("To", mail.to))
        if mail.cc:
            lines.append(address_header("Cc", mail.cc))
        if client == "yahoo":
            lines.append("X-Mailer: WebService/1.1.23369 YMailNorrin")
        lines.extend(body.headers)

    text = "\n".join(lines) + "\n\n" + body.body
    if not text.endswith("\n"):
        text += "\n"
    return text


def build_body(mail: Mail, rng: random.Random) -> Part:
    client = mail.sender.client
    if mail.smime:
        return Part(
            [
                'Content-Type: application/pkcs7-mime; smime-type=enveloped-data;\n\tname="smime.p7m"',
                'Content-Disposition: attachment; filename="smime.p7m"',
                "Content-Transfer-Encoding: base64",
                "Content-Description: S/MIME Encrypted Message",
            ],
            b64_lines(mail.smime),
        )
    content = text_part(mail.body, client)
    if mail.html:
        html = text_part(mail.html, client, "html")
        content = multipart("alternative", [content, html], rng, client)
    if mail.attachments:
        parts = [content] + [attachment_part(a) for a in mail.attachments]
        content = multipart("mixed", parts, rng, client)
    return content


def escape_mboxrd(text: str) -> str:
    """Prefix one more `>` to each line matching ^>*From (mboxrd quoting)."""
    out = []
    for line in text.split("\n"):
        if line.lstrip(">").startswith("From "):
            line = ">" + line
        out.append(line)
    return "\n".join(out)


# ---------------------------------------------------------------------------
# Text helpers
# ---------------------------------------------------------------------------

def fill(paragraphs) -> str:
    """Wrap paragraphs at 72 columns, with a hanging indent for numbered and bulleted items."""
    out = []
    for para in paragraphs:
        if para.startswith(("  ", "Dial-in", "Meeting ID", "Passcode")) or "\n" in para:
            out.append(para)
            continue
        indent = ""
        head = para.split(" ", 1)[0]
        if head.rstrip(".)").isdigit() or head in ("-", "*", "o"):
            indent = " " * (len(head) + 1)
        out.append(textwrap.fill(para, width=72, subsequent_indent=indent, break_on_hyphens=False))
    return "\n\n".join(out)


def letter(greeting: str, paragraphs, closing: str, sender: Person) -> str:
    parts = [greeting] if greeting else []
    parts.extend(paragraphs)
    text = fill(parts)
    sign = sender.signature()
    if closing:
        text += f"\n\n{closing}\n\n{sign}"
    else:
        text += f"\n\n{sign}"
    return text + "\n"


def html_from_text(text: str, newsletter: bool = False) -> str:
    """Render plain text paragraphs as Outlook-style HTML."""
    def esc(s):
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    paras = []
    for block in text.strip("\n").split("\n\n"):
        inner = "<br>\n".join(esc(line) for line in block.split("\n"))
        paras.append(f'<p class="MsoNormal">{inner}</p>')
    body = "\n".join(paras)
    return (
        "<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<style><!-- p.MsoNormal {margin:0in; font-size:11.0pt; font-family:"Calibri",sans-serif;} --></style>\n'
        "</head>\n<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\">\n"
        '<div class="WordSection1">\n' + body + "\n</div>\n</body>\n</html>\n"
    )


def long_date(day: datetime) -> str:
    return f"{WEEKDAYS_LONG[day.weekday()]}, {MONTHS_LONG[day.month - 1]} {day.day}, {day.year}"


def short_time(local: datetime) -> str:
    hour = local.hour % 12 or 12
    return f"{hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def quote_history(author: Person, previous: Mail) -> str:
    """Return the quoted previous message the way `author`'s mail client writes it."""
    prev_local = eastern(previous.received)
    body = previous.body.rstrip("\n")
    sender = previous.sender

    # Outlook puts a header block above the unmarked previous message.
    if author.client in ("exchange", "outlook"):
        head = [
            "________________________________",
            f"From: {sender.header_name()} <{sender.email}>",
            f"Sent: {long_date(prev_local)} {short_time(prev_local)}",
            "To: " + "; ".join(f"{p.header_name()} <{p.email}>" for p in previous.to),
        ]
        if previous.cc:
            head.append("Cc: " + "; ".join(f"{p.header_name()} <{p.email}>" for p in previous.cc))
        head.append(f"Subject: {previous.subject}")
        return "\n\n" + "\n".join(head) + "\n\n" + body + "\n"

    if author.client == "gmail":
        intro = (
            f"On {WEEKDAYS[prev_local.weekday()]}, {MONTHS[prev_local.month - 1]} {prev_local.day}, "
            f"{prev_local.year} at {short_time(prev_local)} {sender.header_name()} <{sender.email}> wrote:"
        )
    elif author.client == "apple":
        intro = (
            f"On {MONTHS[prev_local.month - 1]} {prev_local.day}, {prev_local.year}, at "
            f"{prev_local:%H:%M}, {sender.header_name()} <{sender.email}> wrote:"
        )
    else:
        intro = f"On {prev_local.month}/{prev_local.day}/{prev_local.year} {short_time(prev_local)}, {sender.header_name()} wrote:"

    # Other clients prefix each line with "> ", and an already quoted line gets a bare ">"
    # (">> "). Peter Vance's client always uses a bare ">", so a quoted "From ..." line
    # becomes ">From ..." in his replies.
    marker = ">" if author is PETER else "> "
    quoted = []
    for line in body.split("\n"):
        if not line or line.startswith(">"):
            quoted.append(">" + line)
        else:
            quoted.append(marker + line)
    return "\n\n" + intro + "\n" + "\n".join(quoted) + "\n"


@dataclass
class Step:
    """One message of a thread."""
    author: Person
    to: list
    paragraphs: list
    cc: list = field(default_factory=list)
    bcc: list = field(default_factory=list)
    greeting: str = ""
    closing: str = "Best regards,"
    # False for messages Dana sent: they appear only as quoted history in later replies.
    in_mailbox: bool = True
    category: str = ""
    attachments: list = field(default_factory=list)
    quick: bool = False
    forward: bool = False
    html: bool = False


def build_thread(rng, clock, category, subject, start, steps) -> list[Mail]:
    """Build a reply chain in which each message quotes the full previous message."""
    mails = []
    history: list[Mail] = []
    received = start
    for index, step in enumerate(steps):
        if index:
            received = clock.reply_after(received, quick=step.quick)
        text = letter(step.greeting, step.paragraphs, step.closing, step.author)
        if history:
            text += quote_history(step.author, history[-1])
        if index == 0:
            subj = subject
        elif step.forward:
            subj = "FW: " + subject
        elif step.author.client in ("exchange", "outlook"):
            subj = "RE: " + subject
        else:
            subj = "Re: " + subject
        mail = Mail(
            category=step.category or category,
            sender=step.author,
            to=step.to,
            cc=step.cc,
            bcc=step.bcc,
            subject=subj,
            received=received,
            body=text,
            attachments=step.attachments,
        )
        if step.html:
            mail.html = html_from_text(text)
        sent = received - timedelta(seconds=5)
        mail.message_id = make_message_id(rng, step.author, sent)
        if history:
            mail.in_reply_to = history[-1].message_id
            ids = [m.message_id for m in history]
            # Long chains keep the first ID and the seven most recent, so the header stays short.
            mail.references = ids if len(ids) <= 8 else [ids[0]] + ids[-7:]
        history.append(mail)
        if step.in_mailbox:
            mails.append(mail)
    return mails


def pick_cc(rng: random.Random, sub: Submission, first_contact: Person):
    """Pick To and Cc for a sponsor message to Dana, with the RPM in Cc, in To or left off."""
    to = [DANA]
    cc = [c for c in sub.contacts if c is not first_contact and c.domain != "gmail.com"][:1]
    roll = rng.random()
    if roll < 0.45:
        cc = [sub.rpm] + cc
    elif roll < 0.62:
        to = [DANA, sub.rpm]
    # Otherwise the RPM is left off, and the reviewer has to forward the message to the RPM
    # within one business day.
    return to, cc


# ---------------------------------------------------------------------------
# Text pools
# ---------------------------------------------------------------------------

CMC_QUESTIONS = [
    "Provide the validation report for the cell-based potency assay, including the data supporting the proposed system suitability criteria and the intermediate precision across analysts and reagent lots.",
    "Clarify whether the host cell protein ELISA was qualified for coverage of the process-specific host cell protein population. Provide the 2D-DIGE or LC-MS/MS coverage data.",
    "The proposed drug substance specification for high molecular weight species (NMT 3.0%) is wider than the manufacturing experience supports. Tighten the limit or justify it with clinical lot data.",
    "Provide the results of the container closure integrity testing by helium leak for the 2 mL vial presentation, including the positive controls and the limit of detection of the method.",
    "Submit the viral clearance study report for the low pH hold step, including the spiking study design, the log reduction values for each model virus, and the column reuse data.",
    "Describe the bioburden and endotoxin controls for the harvest step, and provide the action and alert limits with their justification.",
    "Provide real-time stability data through the proposed expiry for the three process performance qualification (PPQ) lots, including the lot numbers and the storage orientation.",
    "Clarify how the reference standard for the potency assay will be requalified, and provide the protocol for qualifying the next working reference standard.",
    "Submit the extractables and leachables assessment for the single-use bioreactor bags and the final filter, with the toxicological risk assessment for any compound above the analytical evaluation threshold.",
    "Provide the shipping validation for the drug product shipper, including the temperature excursion data from the summer and winter profiles.",
    "Explain the root cause investigation for the out-of-specification result for sub-visible particles reported for lot {lot}, and the corrective and preventive actions taken.",
    "Provide the comparability assessment between drug substance manufactured at the current facility and at the proposed second facility, including side-by-side release and extended characterization data.",
    "Provide the vector copy number and replication competent lentivirus testing results for each lot used in the pivotal study.",
    "Clarify the hold times for the in-process intermediates and provide the data supporting each proposed hold time.",
    "Provide the adventitious agent testing results for the master and working cell banks, including the in vitro and in vivo assays.",
    "The lot release protocol template does not include the results for residual Protein A. Revise the template and resubmit.",
]

CLINICAL_QUESTIONS = [
    "Provide the ADaM datasets for the primary efficacy analysis with the define.xml and the analysis data reviewer's guide.",
    "Submit narratives for all subjects with Grade 3 or higher cytokine release syndrome or neurologic toxicity.",
    "Clarify the censoring rules applied in the sensitivity analysis of the duration of response.",
    "Provide a listing of all protocol deviations that could affect the primary endpoint, by site.",
    "Provide the updated integrated summary of safety with a data cutoff of at least 12 months after the last subject was dosed.",
    "Submit the pharmacovigilance plan with the proposed enhanced surveillance for secondary malignancies.",
    "Clarify how immunogenicity samples were handled when the subject received the rescue medication.",
]

LABELING_COMMENTS = [
    "In section 2.1 of the Prescribing Information, revise the dosing table so that the weight bands do not overlap.",
    "Section 5.2 should describe the monitoring for infusion-related reactions before section 5.3 on infections.",
    "The carton label must state the quantity of the active ingredient per vial on the principal display panel.",
    "Revise the container label so that the lot number and expiration date are not placed on the peel-off portion.",
    "Remove the promotional statement from the Highlights; the limitation of use must appear as written in our comments.",
    "The Medication Guide must be written at a reading level appropriate for patients; simplify the section on side effects.",
    "Use the proper name consistently throughout the labeling and do not abbreviate it.",
    "Section 14 should present the primary endpoint results before the secondary endpoints, with the confidence intervals.",
]

LOTS = ["24A0117", "24A0152", "24B0031", "25A0008", "25A0019", "25B0004", "24C0210", "25C0045", "PPQ-01", "PPQ-02", "PPQ-03"]


def numbered(items) -> list[str]:
    return [f"{i}. {item}" for i, item in enumerate(items, start=1)]


def sample_lot(rng):
    return rng.choice(LOTS)


def fmt_lot(text: str, rng) -> str:
    return text.replace("{lot}", sample_lot(rng))


# ---------------------------------------------------------------------------
# Category builders
# ---------------------------------------------------------------------------

class Builder:
    def __init__(self, rng: random.Random, clock: Clock):
        self.rng = rng
        self.clock = clock
        self.mails: list[Mail] = []
        self.issued_irs: list[tuple] = []

    def add(self, mail: Mail):
        """Add a single message. FDA staff rarely write on weekends and holidays, so most
        such staff messages are moved to a business day of the same month."""
        local = eastern(mail.received)
        staff = mail.sender.domain == "fda.hhs.gov" and mail.sender.title
        off_day = local.weekday() >= 5 or local.date() in FEDERAL_HOLIDAYS
        if staff and off_day and self.rng.random() < 0.75:
            mail.received = self.clock.pick("business", (local.month, local.month))
        self.mails.append(mail)

    def extend(self, mails):
        self.mails.extend(mails)

    @staticmethod
    def ir_number(sub: Submission, issued: datetime) -> int:
        """Return the information request number for an IR issued at `issued`.

        Numbering by month since the submission's correspondence began keeps the numbers
        rising with the dates, so the response to IR #n arrives a few weeks after it.
        """
        months = (issued.year - YEAR) * 12 + issued.month
        return max(1, months - sub.window[0] + 1)

    def count(self, category: str) -> int:
        return sum(1 for m in self.mails if m.category == category)

    def fill_to(self, category: str, target: int, make):
        while self.count(category) < target:
            self.add(make())


# --- BLA correspondence ------------------------------------------------------

def bla_message(b: Builder) -> Mail:
    rng = b.rng
    sub = rng.choice(BLAS)
    contact = rng.choice(sub.contacts)
    supplement = rng.choice(sub.supplements)
    ref = stn_ref(rng, sub, supplement)
    received = b.clock.pick("any", sub.window)
    kinds = [
        "ir", "ir", "ir_clinical", "labeling", "stability", "spec_question", "inspection",
        "timeline", "internal_review", "internal_cmc", "forward", "midcycle", "pmr", "annual",
        "carton", "reference_standard",
    ]
    kind = rng.choice(kinds)
    # Each submission gets one information request per number, so a second IR pick in the
    # same month becomes some other correspondence.
    while kind.startswith("ir") and (sub.number, b.ir_number(sub, received)) in b.issued_irs:
        kind = rng.choice(kinds)
    if kind.startswith("ir"):
        b.issued_irs.append((sub.number, b.ir_number(sub, received)))
    to, cc = [DANA], []
    sender = contact
    greeting = f"Dear Dr. Whitfield,"
    closing = "Best regards,"
    html = False
    attachments = []

    if kind == "ir":
        sender = sub.rpm
        number = b.ir_number(sub, received)
        subject = f"{ref} - Information Request #{number} - CMC"
        to, cc = [contact], [DANA] + [c for c in sub.contacts if c is not contact][:1]
        questions = [fmt_lot(q, rng) for q in rng.sample(CMC_QUESTIONS, rng.randint(2, 4))]
        paras = [
            f"We are reviewing your {ref.replace('STN ', 'submission ')} for {sub.product} and have the following request for information. Please respond by {response_due(received, rng)}.",
            *numbered(questions),
            "Submit your response as an amendment to the application through the ESG. If you have questions, please contact me.",
        ]
        greeting = f"Dear {contact.first},"
        closing = "Regards,"
        html = rng.random() < 0.4
    elif kind == "ir_clinical":
        sender = sub.rpm
        number = b.ir_number(sub, received)
        subject = f"{ref} - Information Request #{number} - Clinical"
        to, cc = [contact], [DANA, LENA]
        questions = rng.sample(CLINICAL_QUESTIONS, rng.randint(2, 3))
        paras = [
            f"The clinical review team has the following requests regarding {sub.product}. We ask that you respond within 10 business days.",
            *numbered(questions),
        ]
        greeting = f"Dear {contact.first},"
        closing = "Thank you,"
    elif kind in ("labeling", "carton"):
        sender = rng.choice([sub.rpm, NOAH])
        what = "Prescribing Information" if kind == "labeling" else "carton and container labels"
        subject = f"{ref} labeling comments - {what}"
        to, cc = [contact], [DANA, sub.rpm] if sender is NOAH else [DANA]
        comments = rng.sample(LABELING_COMMENTS, rng.randint(2, 4))
        paras = [
            f"Please find below our comments on the {what} submitted for {sub.product}. Submit the revised labeling in both clean and tracked-change versions.",
            *numbered(comments),
            "We may have additional comments as the review continues.",
        ]
        greeting = f"Hello {contact.first},"
        html = rng.random() < 0.3
    elif kind == "stability":
        lot_a, lot_b = rng.sample(LOTS, 2)
        months = rng.choice([12, 18, 24, 30, 36])
        subject = f"{ref}: updated stability data for lots {lot_a} and {lot_b}"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            f"I am writing to let you know that the {months}-month real-time stability results for drug product lots {lot_a} and {lot_b} are now available. All results met the acceptance criteria, including potency, purity by SE-HPLC and sub-visible particles.",
            "We plan to include these data in the next amendment. If the review team would find an advance copy of the summary tables helpful, please let us know.",
        ]
    elif kind == "spec_question":
        attribute = rng.choice(["charge variants by icIEF", "glycan profile", "residual DNA", "polysorbate 80 content", "osmolality", "aggregate content by SE-HPLC"])
        subject = f"Question on the proposed specification for {attribute} - {ref}"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            f"During our teleconference last week the review team asked us to reconsider the acceptance criterion for {attribute}. Before we submit a formal response, we would like to confirm our understanding.",
            f"We propose to set the limit based on the mean plus or minus three standard deviations of the {rng.randint(9, 24)} lots manufactured to date, and to revisit the limit once 30 commercial lots are available. Would this approach be acceptable in principle?",
            "We understand that any agreement would be confirmed in the review of the formal amendment.",
        ]
    elif kind == "inspection":
        sender = rng.choice([sub.rpm, IRENE])
        subject = f"{ref} pre-license inspection - proposed dates"
        to, cc = [contact], [DANA, sub.rpm] if sender is IRENE else [DANA]
        week = business_day(eastern(received), rng.randint(20, 50))
        week -= timedelta(days=week.weekday())
        paras = [
            f"CBER plans to conduct the pre-license inspection of the drug substance and drug product facilities for {sub.product} during the week of {MONTHS_LONG[week.month - 1]} {week.day}.",
            "Please confirm that the facility will be manufacturing during that week, and provide the production schedule, the name of the site contact, and the list of batch records that will be available for review.",
        ]
        greeting = f"Dear {contact.first},"
    elif kind == "timeline":
        subject = f"{ref} - question about the review timeline"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            "Could you let us know whether the review team expects to send further information requests before the late-cycle meeting? Our manufacturing team is planning a process change and would like to avoid overlapping with any outstanding requests.",
            "We do not want to change the action date; we are only trying to plan our resources.",
        ]
    elif kind == "internal_review":
        sender = rng.choice([VICTOR, LENA, HAROLD])
        subject = f"{ref} - review memo draft for discussion"
        to, cc = [DANA], [sub.rpm] if rng.random() < 0.6 else []
        paras = [
            f"Dana, I have uploaded my draft section of the review memo for {sub.product} to the review folder. The open items are the potency assay bridging and the proposed shelf life.",
            "Could you look at the product quality section before Thursday? I would like the team to agree on the outstanding deficiencies before we draft the next information request.",
        ]
        greeting = ""
        closing = "Thanks,"
    elif kind == "internal_cmc":
        sender = HAROLD
        subject = f"CMC comments on the latest amendment to {ref}"
        to, cc = [DANA], [sub.rpm]
        paras = [
            f"Dana, I went through the amendment received on {long_date(business_day(eastern(received), -rng.randint(3, 12)))}. Most of the earlier CMC deficiencies are resolved.",
            fmt_lot("Two items remain: the justification for the hold time of the clarified harvest, and the trending of the sub-visible particle results for lot {lot}. I suggest we include both in the next IR.", rng),
        ]
        greeting = ""
        closing = "Harold"
    elif kind == "forward":
        sender = sub.rpm
        original_subject = f"{ref} - submission of responses"
        subject = f"FW: {original_subject}"
        to, cc = [DANA], []
        inner_time = eastern(received - timedelta(hours=rng.randint(2, 30)))
        paras = [
            "Dana, forwarding for your awareness; the sponsor sent this to me only. The formal amendment is in the ESG queue and should reach the review folder tomorrow.",
        ]
        forwarded = (
            "\n\n-----Original Message-----\n"
            f"From: {contact.name} <{contact.email}>\n"
            f"Sent: {long_date(inner_time)} {short_time(inner_time)}\n"
            f"To: {sub.rpm.header_name()} <{sub.rpm.email}>\n"
            f"Subject: {original_subject}\n\n"
            + fill([
                f"Dear {sub.rpm.first},",
                f"This is to let you know that we submitted our responses to the outstanding information requests for {ref} today through the ESG. The submission includes updated Module 3 sections and the revised lot release protocol.",
                "Please let us know if the review team needs anything further.",
            ])
            + f"\n\nKind regards,\n{contact.name}\n"
        )
        body = fill(paras) + f"\n\n{sender.first}" + forwarded
        return Mail("bla", sender, to, subject, received, body, cc=cc)
    elif kind == "midcycle":
        sender = sub.rpm
        subject = f"{ref} - mid-cycle communication summary"
        to, cc = [contact], [DANA, VICTOR]
        paras = [
            f"Attached is a summary of the mid-cycle communication held on {long_date(business_day(eastern(received), -rng.randint(2, 7)))} for {sub.product}.",
            "No significant issues have been identified to date that would preclude approval. The review team noted that responses to the pending CMC information requests are needed to complete the review of the potency assay.",
            "The late-cycle meeting will be scheduled separately.",
        ]
        greeting = f"Dear {contact.first},"
        if rng.random() < 0.4:
            attachments = [pdf(rng, f"Mid-cycle communication summary {sub.number}.pdf")]
        else:
            paras[0] = paras[0].replace("Attached is", "Below is")
    elif kind == "pmr":
        subject = f"{ref} postmarketing requirement study - protocol submission timing"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            "Our final protocol for the postmarketing requirement study is due next month. We would like to request a brief teleconference to confirm the proposed sample size before we finalize it.",
            "From the FDA comments on the draft protocol, we understand that the primary analysis should be based on the as-treated population. Please let us know if that reading is correct.",
        ]
    elif kind == "annual":
        # An annual report covers the whole license, so the STN has no supplement number.
        subject = f"Annual report for {rng.choice(['BLA', 'STN', 'BL'])} {sub.number} - reporting period"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            "We would like to confirm the reporting period for the upcoming annual report. Our records show the anniversary of the approval date; please let us know if CBER prefers that we align the period with the calendar year instead.",
        ]
    else:  # reference_standard
        subject = f"{ref} - reference standard qualification"
        to, cc = pick_cc(rng, sub, contact)
        paras = [
            "Following the last information request, we have completed the qualification of the new working reference standard. The relative potency was within 95 to 105 percent of the primary reference standard in all six assays.",
            "We intend to submit the report in the next amendment and would appreciate knowing whether the review team also wants the raw plate data.",
        ]

    body = letter(greeting, paras, closing, sender)
    mail = Mail("bla", sender, to, subject, received, body, cc=cc, attachments=attachments)
    if sender.client == "outlook" and rng.random() < 0.35:
        html = True
    if html:
        mail.html = html_from_text(body)
    return mail


def response_due(received: datetime, rng) -> str:
    due = business_day(eastern(received), rng.choice([10, 14, 21, 30]))
    return f"{MONTHS_LONG[due.month - 1]} {due.day}, {due.year}"


def bla_threads(b: Builder) -> None:
    rng, clock = b.rng, b.clock
    # The long IR #3 thread for STN 125742/13, which includes the emailed response.
    start = clock.pick("business", (3, 3))
    ir3 = [
        "Provide the validation report for the cell-based potency assay used for release of ACB-221 drug product, including the data supporting the proposed system suitability criteria.",
        "Provide the bridging study between the reporter gene potency assay and the previous ADCC-based assay, with at least three lots tested in parallel.",
        "Clarify the proposed acceptance criteria for relative potency (70-130%) in light of the clinical lot range of 88-112%.",
    ]
    ir3_response = pdf(rng, "Response to IR 3 - STN 125742.pdf", low=3500, high=5200)
    steps = [
        Step(RPM_MARCUS, [JENNIFER], [
            "We are reviewing the efficacy supplement STN 125742/13 for ACB-221 (oxtrelimab) injection and have the following information request. Please respond by April 11, 2025.",
            *numbered(ir3),
            "Submit the response as an amendment to STN 125742/13 through the ESG.",
        ], cc=[DANA, OWEN], greeting="Dear Jennifer,", closing="Regards,", html=True),
        Step(JENNIFER, [RPM_MARCUS], [
            "Thank you for the information request. We acknowledge receipt and will respond by the requested date.",
            "For item 2, our parallel testing of the third lot will not finish until late April. Would the review team accept the data for two lots by April 11 with the third lot to follow in a separate amendment?",
        ], cc=[DANA, OWEN], greeting="Dear Marcus,"),
        Step(DANA, [JENNIFER], [
            "For item 2, two lots by the due date is acceptable provided the protocol for the third lot is included, with the predefined equivalence margins. Please submit the third lot as soon as it is available.",
        ], cc=[RPM_MARCUS, OWEN], greeting="Hello Jennifer,", closing="Best,", in_mailbox=False, quick=True),
        Step(OWEN, [DANA, RPM_MARCUS], [
            "Thank you, Dr. Whitfield. To make sure we present the bridging data in the format the team expects, could we have a 30-minute teleconference next week? We would walk through the statistical approach for the equivalence margins.",
            "Our team is available Tuesday or Wednesday afternoon.",
        ], cc=[JENNIFER], greeting="Dear Dr. Whitfield and Marcus,"),
        Step(RPM_MARCUS, [OWEN], [
            "We can offer Wednesday from 2:00 to 2:30 PM ET. I will send the calendar invitation with the dial-in separately. Please send the slides (no more than 5) by noon Tuesday.",
        ], cc=[DANA, JENNIFER], greeting="Hi Owen,", closing="Thanks,"),
        Step(JENNIFER, [RPM_MARCUS], [
            "Thank you for the productive call today. As agreed, we will send the response to IR #3 to you by email on the due date so that the review can continue, and we will submit the same response to STN 125742/13 through the ESG within two business days.",
            "We will include the equivalence protocol for the third lot as Appendix 4.",
        ], cc=[DANA, OWEN], greeting="Dear Marcus,"),
        Step(OWEN, [RPM_MARCUS], [
            "As agreed during the teleconference, please find attached our response to Information Request #3 for STN 125742/13. The identical response will be submitted through the ESG as Amendment 23.",
            "The attachment contains the potency assay validation report summary, the bridging data for lots 24A0117 and 24B0031, and the equivalence protocol for lot 25A0008.",
        ], cc=[DANA, JENNIFER], greeting="Dear Marcus,", category="ir_email",
            attachments=[ir3_response]),
        Step(RPM_MARCUS, [DANA], [
            "Dana, the emailed response to IR #3 is below. Please start the review from this copy; I will let you know when the ESG amendment arrives. The review clock for this item resumes today.",
        ], cc=[HAROLD], greeting="", closing="Thanks,", forward=True, quick=True,
            attachments=[ir3_response]),
        Step(HAROLD, [DANA], [
            "Dana, I looked at the bridging data in the response. The equivalence margins are reasonable, but the assay comparison for lot 24B0031 shows a bias of about 6% that the sponsor does not discuss.",
            "From my side I would ask them to explain the bias and show it does not affect the release decision. Could we add this to the next IR?",
        ], cc=[RPM_MARCUS], greeting="", closing="Harold"),
        Step(DANA, [HAROLD], [
            "Agreed, I will draft the question and send it to Marcus.",
        ], cc=[RPM_MARCUS], greeting="Harold,", closing="Dana", in_mailbox=False, quick=True),
        Step(JENNIFER, [RPM_MARCUS], [
            "This is to confirm that Amendment 23 to STN 125742/13, containing the response to IR #3, was submitted through the ESG today. The ESG acknowledgment number is in the cover letter.",
        ], cc=[DANA, OWEN], greeting="Dear Marcus,"),
    ]
    b.extend(build_thread(rng, clock, "bla", "STN 125742/13 - Information Request #3 - potency assay", start, steps))

    # Labeling negotiation for BLA 125809.
    start = clock.pick("business", (9, 9))
    steps = [
        Step(RPM_ALICIA, [RAVI], [
            "Attached please find FDA's revisions to the Prescribing Information for NWT-301 (fentocabtagene autoleucel). Please accept or respond to each tracked change and return the document by Friday.",
            "Note that the Boxed Warning text is not open for negotiation at this stage.",
        ], cc=[DANA, MEGAN, NOAH], greeting="Dear Ravi,", closing="Kind regards,",
            attachments=[pdf(rng, "BLA 125809 PI - FDA revisions round 2.pdf")]),
        Step(RAVI, [RPM_ALICIA], [
            "Thank you. We accept most of the changes. We have one comment on section 6.1: we propose to present adverse reactions at a frequency of 10% or more, not 5%, to keep the table to one page. Our rationale is in the margin comments of the attached version.",
        ], cc=[DANA, MEGAN], greeting="Dear Alicia,", closing="Best,",
            attachments=[pdf(rng, "BLA 125809 PI - Northwind response round 2.pdf")]),
        Step(MEGAN, [RPM_ALICIA, DANA], [
            "Following up on Ravi's note: we noticed that the dosing section refers to Table 3, but the table is now numbered Table 2 after the revisions. We corrected the reference in the clean version.",
        ], cc=[RAVI], greeting="Hi Alicia and Dr. Whitfield,"),
        Step(RPM_ALICIA, [RAVI], [
            "The review team does not agree with the 10% threshold; the 5% threshold is needed to capture hypogammaglobulinemia and the prolonged cytopenias. All other responses are acceptable. We consider the labeling discussion closed pending your final clean version.",
        ], cc=[DANA, MEGAN, NOAH], greeting="Dear Ravi,", closing="Kind regards,"),
    ]
    b.extend(build_thread(rng, clock, "bla", "BLA 125809 - labeling: Prescribing Information round 2", start, steps))

    # Supplement question on 125777/15 with an RFC 2047 encoded subject.
    start = clock.pick("business", (6, 6))
    steps = [
        Step(SOFIA, [DANA], [
            "In the prior approval supplement 125777/15 we included the stability data for the new 20 g presentation. Our quality team asks whether the Stabilitätsdaten from our European contract laboratory need to be translated, or whether the original German reports with an English summary are sufficient.",
        ], cc=[DANIEL], greeting="Dear Dr. Whitfield,", closing="Saludos cordiales,"),
        Step(DANIEL, [DANA], [
            "Adding to Sofía's question: the reports are about 400 pages in total. We can provide certified translations within three weeks if needed.",
        ], cc=[SOFIA, RPM_RACHEL], greeting="Dear Dr. Whitfield,", quick=True),
    ]
    b.extend(build_thread(rng, clock, "bla", "STN 125777/15 – Stabilitätsdaten: translation question", start, steps))

    # A two-message exchange in which Halcyon's sender name is RFC 2047 encoded.
    start = clock.pick("business", (5, 5))
    steps = [
        Step(ZOE, [DANA, RPM_KEVIN], [
            "Further to the filing communication for BLA 125816, we would like to confirm the address and contact for the pre-license inspection of our Liège fill-finish facility. The site will be manufacturing HVX-12 during weeks 38 to 41.",
            "Our site head, Markus Brandl, will be the primary contact during the inspection.",
        ], cc=[MARKUS], greeting="Dear Dr. Whitfield, dear Mr. Oduya,", closing="Kind regards,"),
        Step(RPM_KEVIN, [ZOE], [
            "Thank you, Zoë. We have noted the dates and the contact. The inspection team will confirm the agenda about four weeks before the visit.",
        ], cc=[DANA, MARKUS, IRENE], greeting="Dear Zoë,", closing="Regards,"),
    ]
    b.extend(build_thread(rng, clock, "bla", "BLA 125816 – pre-license inspection, Liège site", start, steps))

    # The sponsor put the RPM only in Bcc.
    received = clock.pick("business", (7, 7))
    body = letter("Dear Dr. Whitfield,", [
        "We would like to request a Type A meeting to discuss the complete response items for STN 125809/0 related to the manufacturing facility. A formal meeting request will follow through the ESG.",
        "I have included Ms. Thornbury as a blind copy so that she is aware of the request.",
    ], "Best regards,", MEGAN)
    b.add(Mail("bla", MEGAN, [DANA], "STN 125809/0 - request for Type A meeting", received, body, bcc=[RPM_ALICIA]))


# --- IND ---------------------------------------------------------------------

IND_TOPICS = [
    ("protocol amendment", [
        "We are submitting a protocol amendment for study {study} to add a cohort at the intermediate dose level. The amendment will be submitted as Serial No. {serial} through the ESG this week.",
        "Could the review team confirm whether this change requires the 30-day wait before enrollment of the new cohort, or whether we may proceed once the IRB has approved it?",
    ]),
    ("IND safety report", [
        "This is to notify you that a 15-day IND safety report for a serious and unexpected suspected adverse reaction (Grade 4 hepatotoxicity) in study {study} was submitted today as Serial No. {serial}.",
        "The subject has recovered and the investigator considers the event possibly related. The data monitoring committee has been informed.",
    ]),
    ("annual report", [
        "The annual report for {ref} is due on the anniversary of the IND effective date. We plan to submit it as Serial No. {serial}. Please let us know if the review team wants the development safety update report format instead.",
    ]),
    ("pre-meeting question", [
        "In preparation for our Type C meeting, we would like to clarify the scope of the CMC questions. From our reading of the preliminary comments, the team expects potency assay data from the clinical lots only, not from the engineering runs.",
        "Could you confirm before we finalize the briefing package?",
    ]),
    ("clinical hold response", [
        "We plan to submit a complete response to the clinical hold letter for {ref} within the next two weeks. The response will address all four hold issues, including the revised stopping rules and the updated Investigator's Brochure.",
        "Would the review team be available for a short teleconference to confirm that the proposed stopping rules address hold issue 2?",
    ]),
    ("information request question", [
        "We received the information request dated last week regarding the replication competent virus testing. For item 3, could you clarify whether the assay qualification report or the full validation report is expected?",
    ]),
    ("change in manufacturing", [
        "We intend to change the supplier of the cell culture medium used for the manufacture of {product}. A comparability assessment is planned, and we will submit it as an information amendment before any clinical lot made with the new medium is released.",
    ]),
    ("investigator change", [
        "Please note that a new principal investigator has been added at site 104. The Form FDA 1572 and the investigator's CV will be included in Serial No. {serial}.",
    ]),
]


def ind_message(b: Builder) -> Mail:
    rng = b.rng
    sub = rng.choice(INDS)
    contact = rng.choice([c for c in sub.contacts])
    ref = stn_ref(rng, sub)
    topic, paras = rng.choice(IND_TOPICS)
    study = rng.choice(["CRG4-101", "CRG4-102"] if sub is CRG4 else ["MCS07-201", "MCS07-202"])
    values = {"study": study, "serial": f"{rng.randint(31, 88):04d}", "ref": ref, "product": sub.product}
    text = [p.format(**values) for p in paras]
    received = b.clock.pick("any", sub.window)
    if rng.random() < 0.25:
        # Review staff write to each other about the IND as well.
        sender = rng.choice([LENA, VICTOR, sub.rpm, HAROLD])
        subject = f"{ref} - {topic} (internal)"
        body = letter("", [
            f"Dana, the sponsor of {ref} contacted us about a {topic}. Could you take a look before our team meeting and let me know if the product quality review needs anything further?",
        ], "Thanks,", sender)
        return Mail("ind", sender, [DANA], subject, received, body, cc=[sub.rpm] if sender is not sub.rpm else [])
    to, cc = pick_cc(rng, sub, contact)
    subject = rng.choice([f"{ref} - {topic}", f"{ref}: {topic}", f"{topic.capitalize()} - {ref}"])
    body = letter("Dear Dr. Whitfield,", text, rng.choice(["Best regards,", "Sincerely,", "Thank you,"]), contact)
    mail = Mail("ind", contact, to, subject, received, body, cc=cc)
    if contact.client == "outlook" and rng.random() < 0.3:
        mail.html = html_from_text(body)
    return mail


def ind_threads(b: Builder) -> None:
    rng, clock = b.rng, b.clock
    # Clinical hold discussion for IND 23456. The consultant writes from a Gmail address.
    start = clock.pick("business", (2, 2))
    steps = [
        Step(NADIA, [RPM_SIMONE], [
            "We have received the clinical hold letter for IND 23456 (MCS-07). We would like to request a teleconference to discuss hold issue 1 (the potency assay) and hold issue 3 (the dose escalation scheme).",
            "Our consultant, Mr. Quist, will join the call.",
        ], cc=[DANA, BERNARD], greeting="Dear Ms. Carrow,"),
        Step(RPM_SIMONE, [NADIA], [
            "The review team can meet on Thursday at 11:00 AM ET for 45 minutes. Please send your questions in writing by Tuesday so the team can prepare.",
        ], cc=[DANA, BERNARD], greeting="Dear Nadia,", closing="Regards,"),
        Step(BERNARD, [DANA], [
            "Dr. Whitfield, ahead of Thursday, here are the two questions for hold issue 1:",
            "1. Is a matrix of two orthogonal potency assays (IDO activity and T-cell suppression) acceptable as the release potency assay for phase 1?",
            "2. May the T-cell suppression assay be reported for information only until it is qualified?",
            "I am writing from my personal account because Marigold's mail server is being migrated this week.",
        ], greeting="", closing="Regards,"),
        Step(NADIA, [RPM_SIMONE], [
            "Please disregard the duplicate copy Mr. Quist sent directly to Dr. Whitfield. The official list of questions is attached to this email.",
        ], cc=[DANA, BERNARD], greeting="Dear Ms. Carrow,", quick=True,
            attachments=[pdf(rng, "IND 23456 - questions for teleconference.pdf")]),
        Step(RPM_SIMONE, [NADIA], [
            "Attached are the FDA minutes of today's teleconference regarding IND# 23456. In summary, a matrix approach to potency is acceptable for phase 1 if the IDO activity assay is qualified before release of the first clinical lot. The revised dose escalation scheme will be reviewed in the complete response.",
        ], cc=[DANA, BERNARD], greeting="Dear Nadia,", closing="Regards,",
            attachments=[pdf(rng, "IND 23456 teleconference minutes.pdf")]),
        Step(BERNARD, [RPM_SIMONE, DANA], [
            "Thank you for the minutes. One correction: the sponsor said the first clinical lot would be released in the third quarter, not the second. Could the minutes be amended?",
        ], cc=[NADIA], greeting="Ms. Carrow, Dr. Whitfield,", closing="Regards,"),
        Step(RPM_SIMONE, [BERNARD], [
            "FDA minutes are the official record of the meeting and reflect FDA's understanding. The sponsor may submit its own comments on the minutes to the IND; they will be filed with the minutes.",
        ], cc=[DANA, NADIA], greeting="Dear Mr. Quist,", closing="Regards,"),
    ]
    b.extend(build_thread(rng, clock, "ind", "IND 23456 clinical hold - request for teleconference", start, steps))

    # IND 012345: a reply whose client quotes with a bare ">" so a quoted line starting
    # with "From " becomes ">From " and needs mboxrd escaping.
    start = clock.pick("business", (8, 8))
    steps = [
        Step(RPM_THOMAS, [PETER], [
            "From the review of Serial No. 0061, the team has a question about the vector genome titer method. Please clarify whether the ddPCR assay targets the transgene or the ITR region.",
            "From our perspective, a transgene-targeted assay is preferred for dose calculation.",
        ], cc=[DANA, LAURA], greeting="Dear Dr. Vance,", closing="Regards,"),
        Step(PETER, [RPM_THOMAS], [
            "The ddPCR assay targets the transgene (the codon-optimized coding sequence). We will state this in the next amendment to IND 012345.",
        ], cc=[DANA, LAURA], greeting="Dear Mr. Wexley,", closing="Best,"),
        Step(LAURA, [RPM_THOMAS], [
            "To follow up on Peter's note: the amendment with the clarification on the titer method will be submitted as Serial No. 0064 on Monday.",
        ], cc=[DANA, PETER], greeting="Dear Thomas,", closing="Best regards,"),
    ]
    b.extend(build_thread(rng, clock, "ind", "IND 012345 - vector genome titer method", start, steps))

    # An IND amendment with an empty (0-byte) attachment.
    received = clock.pick("business", (10, 10))
    body = letter("Dear Dr. Whitfield,", [
        "Please find attached the signed Form FDA 1572 for the new investigator at site 112 for IND 023456. The original will be included in the next serial submission.",
    ], "Best regards,", NADIA)
    b.add(Mail("ind", NADIA, [DANA], "IND 023456 - Form FDA 1572 for site 112", received, body,
               cc=[RPM_SIMONE], attachments=[Attachment("Form FDA 1572 - Site 112.pdf", b"")]))


# --- Devices reviewed at CBER --------------------------------------------------

DEVICE_TOPICS = [
    ("Additional Information request - response timeline", [
        "We received the Additional Information letter for {ref} and plan to respond within the 180-day period. Several deficiencies concern the software validation documentation, which we are revising.",
        "Could we schedule a short call to confirm our interpretation of deficiency 4 (the traceability matrix)?",
    ]),
    ("interactive review question", [
        "Thank you for the interactive review email regarding {ref}. Attached are the clarifications for questions 1 and 2. For question 3, we need two more business days to compile the cybersecurity documentation.",
    ]),
    ("Substantive Interaction", [
        "We acknowledge the Substantive Interaction notification for {ref}. The review clock is on hold as we prepare our response. We expect to submit within 60 days.",
    ]),
    ("clinical study data question", [
        "For {ref}, the clinical specificity study enrolled 6,214 donor specimens at three blood establishments. We would like to confirm that specimens collected before the protocol amendment may be included in the primary analysis.",
    ]),
    ("labeling question", [
        "For the instructions for use of {product}, we propose to add a limitation statement about specimens from heparinized donors. Should this be submitted now or with the response to the deficiency letter?",
    ]),
    ("software version update", [
        "The software version under review in {ref} is 4.2.0. A maintenance release (4.2.1) fixing a report formatting defect is ready. Please advise whether we should update the submission or wait for the decision.",
    ]),
]


def device_message(b: Builder) -> Mail:
    rng = b.rng
    sub = rng.choice(DEVICES)
    contact = sub.contacts[0]
    ref = stn_ref(rng, sub)
    topic, paras = rng.choice(DEVICE_TOPICS)
    text = [p.format(ref=ref, product=sub.product) for p in paras]
    received = b.clock.pick("any", sub.window)
    if rng.random() < 0.3:
        sender = sub.rpm
        subject = f"{ref} - {topic.lower()}"
        body = letter(f"Dear {contact.first},", [
            f"Thank you for your message about {ref}. The lead reviewer, Dr. Whitfield, is copied. We will reply to your question within five business days.",
        ], "Regards,", sender)
        return Mail("device", sender, [contact], subject, received, body, cc=[DANA])
    to, cc = pick_cc(rng, sub, contact)
    subject = rng.choice([f"{ref} - {topic}", f"{ref}: {topic}", f"{topic} ({ref})"])
    attachments = []
    if "Attached" in text[0]:
        attachments = [pdf(rng, f"{sub.kind}{sub.number} interactive review responses.pdf")]
    body = letter("Dear Dr. Whitfield,", text, "Best regards,", contact)
    mail = Mail("device", contact, to, subject, received, body, cc=cc, attachments=attachments)
    if contact.client == "outlook" and rng.random() < 0.3:
        mail.html = html_from_text(body)
    return mail


def device_specials(b: Builder) -> None:
    rng, clock = b.rng, b.clock
    start = clock.pick("business", (3, 3))
    steps = [
        Step(TREVOR, [RPM_GREGORY], [
            "We would like to propose a timeline for our response to the Additional Information letter for BK251234 (DonorLedger 4.2). We expect to submit the complete response on June 30.",
        ], cc=[DANA], greeting="Dear Mr. Lanning,"),
        Step(RPM_GREGORY, [TREVOR], [
            "Thank you. The proposed date is within the 180-day period. Please note that an incomplete response may lead to a further deficiency letter.",
        ], cc=[DANA], greeting="Dear Trevor,", closing="Regards,"),
        Step(TREVOR, [RPM_GREGORY, DANA], [
            "Understood. One more question: should the revised hazard analysis be provided as a separate document or integrated into the software description?",
        ], greeting="Dear Mr. Lanning, Dr. Whitfield,"),
    ]
    b.extend(build_thread(rng, clock, "device", "BK251234 - response timeline for AI letter", start, steps))

    # An S/MIME enveloped message the reviewer has no key for.
    received = clock.pick("business", (5, 5))
    size = 2400
    payload = rng.getrandbits(8 * size).to_bytes(size, "big")
    # DER ContentInfo with the envelopedData OID (1.2.840.113549.1.7.3), then random bytes.
    inner = b"\xa0\x82" + len(payload).to_bytes(2, "big") + payload
    oid = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x03"
    der = b"\x30\x82" + (len(oid) + len(inner)).to_bytes(2, "big") + oid + inner
    b.add(Mail("device", ANGELA, [DANA], "Encrypted: BP250001 - confidential supplier information", received,
               "", cc=[RPM_RACHEL], smime=der))


# --- SPIND and emergency use ---------------------------------------------------

SPIND_PRODUCTS = [
    ("an investigational allogeneic cord blood-derived NK cell product", "refractory acute myeloid leukemia"),
    ("CRG-4 (AAV9 gene therapy) under the manufacturer's letter of authorization", "a rapidly progressing metabolic myopathy"),
    ("an investigational bacteriophage preparation", "a multidrug-resistant Pseudomonas prosthetic joint infection"),
    ("MCS-07 allogeneic mesenchymal stromal cells", "steroid-refractory acute graft-versus-host disease"),
    ("an investigational convalescent plasma product", "persistent viral infection after B-cell depleting therapy"),
    ("an investigational virus-specific T-cell product", "BK virus hemorrhagic cystitis after transplant"),
]

PHYSICIANS = [DR_KOWALCZYK, DR_ACHEBE, DR_DELGADO, DR_LIN, DR_RAHIMI, DR_SORENSEN]


def spind_messages(b: Builder, count: int) -> None:
    rng, clock = b.rng, b.clock
    # Original requests come from these physicians in turn; amendments from all of them.
    original_senders = [DR_KOWALCZYK, DR_SORENSEN, DR_DELGADO, DR_ACHEBE, DR_RAHIMI]
    for i in range(count):
        doctor = original_senders[i // 3] if i % 3 == 0 else PHYSICIANS[i % len(PHYSICIANS)]
        product, condition = SPIND_PRODUCTS[(i * 5) % len(SPIND_PRODUCTS)]
        received = clock.pick("any")
        ind_number = f"0{rng.randint(30100, 31999)}"
        attachments = []
        cc = []
        if i % 3 == 0:
            subject = f"Original Submission SPIND - {doctor.name} - {product.split(' (')[0].replace('an investigational ', '')}"
            paras = [
                f"I am requesting single patient expanded access for a {rng.randint(8, 79)}-year-old patient with {condition} who has no satisfactory alternative therapy. The manufacturer has agreed to provide {product} and a letter of authorization is attached.",
                "The completed Form FDA 3926, the treatment plan and the informed consent document are attached. Our IRB chair has agreed to review the request.",
            ]
            attachments = [pdf(rng, "Form FDA 3926 - signed.pdf"), pdf(rng, "Letter of Authorization.pdf", low=900, high=1600)]
            if doctor is DR_SORENSEN:
                attachments.append(pdf(rng, "Behandlungsplan – Sørensen.pdf", name_style="rfc2047", low=900, high=1400))
        elif i % 3 == 1:
            subject = f"SPIND Amendment - IND {ind_number} - follow-up report"
            paras = [
                f"This is the follow-up report for single patient IND {ind_number}. The patient received the second dose on schedule. No serious adverse events occurred; mild fever resolved within 24 hours.",
                "A written summary of the treatment results will be submitted at the end of treatment as required.",
            ]
        else:
            subject = f"IND {ind_number} - SPIND amendment: change in treatment plan"
            paras = [
                f"For single patient IND {ind_number}, I request to extend treatment by two additional cycles because the patient shows a partial response. The IRB approved the change on {long_date(business_day(eastern(received), -2))}.",
                "The revised treatment plan is the same as the original except for the number of cycles and the added monitoring visit after cycle 5.",
            ]
        if rng.random() < 0.4:
            cc = [DANA]
        body = letter("Dear CBER SPIND staff,", paras, "Sincerely,", doctor)
        b.add(Mail("spind", doctor, [CBERSPIND], subject, received, body, cc=cc, attachments=attachments))


def emergency_messages(b: Builder, count: int) -> None:
    rng, clock = b.rng, b.clock
    kinds = ["after_hours", "weekend", "after_hours", "business", "weekend", "after_hours", "business", "holiday", "after_hours"]
    for i in range(count):
        doctor = PHYSICIANS[(i + 2) % len(PHYSICIANS)]
        product, condition = SPIND_PRODUCTS[i % len(SPIND_PRODUCTS)]
        received = clock.pick(kinds[i % len(kinds)])
        subject = rng.choice([
            f"URGENT: emergency IND request for individual patient - {condition.removeprefix('a ')}",
            "Emergency use request - single patient - please call",
            f"Emergency single patient IND request ({condition.removeprefix('a ')})",
        ])
        paras = [
            f"I am requesting emergency use of {product} for a patient with {condition}. The patient is deteriorating and treatment is needed within the next 24 hours, before a written submission can be made.",
            f"The manufacturer has agreed to ship the product once FDA authorizes the use. I can be reached at {doctor.phone} at any time, or on my mobile at {doctor.phone[:-4]}0{rng.randint(100, 199)}.",
            "I understand that the Form FDA 3926 must be submitted within 15 working days of the authorization.",
        ]
        to = rng.choice([[CBERSPIND], [DANA], [CBERSPIND, DANA]])
        body = letter("To the CBER duty officer,", paras, "Thank you,", doctor)
        mail = Mail("emergency", doctor, to, subject, received, body, importance_high=True)
        b.add(mail)


# --- Information request responses received by email ------------------------------

def ir_email_message(b: Builder, index: int) -> Mail:
    rng = b.rng
    sub = [ACB221, NWT301, HVX12, BFPIG, CRG4, MCS07, DONORLEDGER][index % 7]
    contact = sub.contacts[0]
    received = b.clock.pick("any", sub.window)
    # The response is to a request issued about two weeks earlier.
    number = b.ir_number(sub, received - timedelta(days=14))

    if sub.kind == "BLA":
        label = f"STN {sub.number}"
    elif sub.kind == "IND":
        label = f"IND {sub.number}"
    else:
        label = f"{sub.kind}{sub.number}"

    agreed_day = long_date(business_day(eastern(received), -rng.randint(2, 9)))
    to, cc = [sub.rpm], [DANA]
    if index % 4 == 1:
        to, cc = [DANA], []
    agreed_with = "you" if to[0] is sub.rpm else sub.rpm.name
    paras = [
        f"As agreed with {agreed_with} on {agreed_day}, we are providing our response to Information Request #{number} by email so that the review can continue. The same response will be submitted through the ESG as a formal amendment.",
        rng.choice([
            "The response addresses all items. For item 2 we have included the raw data tables as an appendix.",
            "Items 1 and 3 are answered in full. For item 2, the additional lot data will follow as agreed.",
            "We have answered each question in the order of the request and cross-referenced the Module 3 sections that change.",
            "The attached document includes the revised specification table and the justification requested in item 4.",
        ]),
    ]
    if index % 4 == 2:
        # Short requests are sometimes answered in the body of the email.
        paras[1] = rng.choice([
            "1. The hold time of the clarified harvest was validated for 72 hours at 2-8 C; the data are in section 3.2.S.2.5.\n2. The column resin lifetime study supports 150 cycles.",
            "1. The assay uses the transgene-specific primer and probe set.\n2. The limit of quantitation is 5.0E+09 vector genomes per mL.",
            "1. All three lots were filled on line 2.\n2. No deviations were opened during the PPQ campaign.",
        ])
        paras[0] = paras[0].replace("our response", "our response (below)")

    attachment_name = f"Response to IR {number} - {label}.pdf"
    style = "plain"
    if index == 3:
        # An RFC 2231 encoded filename longer than one header line.
        attachment_name = f"Response to Information Request {number} - Comparability of drug substance manufactured at the Zürich facility - {label}.pdf"
        style = "rfc2231"
    attachments = [] if index % 4 == 2 else [pdf(rng, attachment_name, name_style=style)]
    if attachments and index % 5 == 0:
        attachments.append(pdf(rng, f"Appendix A - raw data - IR {number}.pdf", low=1200, high=2500))

    subject = rng.choice([
        f"Response to Information Request #{number} - {label}",
        f"{label} - response to IR #{number} (emailed as agreed)",
        f"Response to IR {number} - {label}/{rng.choice(sub.supplements) if sub.kind == 'BLA' else ''}".rstrip("/"),
    ])
    body = letter(f"Dear {to[0].first if to[0] is not DANA else 'Dr. Whitfield'},", paras, "Best regards,", contact)
    mail = Mail("ir_email", contact, to, subject, received, body, cc=cc, attachments=attachments)
    if contact.client == "outlook" and index % 3 == 0:
        mail.html = html_from_text(body)
    return mail


# --- Unsolicited formal submissions by email ---------------------------------------

def unsolicited_messages(b: Builder, count: int) -> None:
    rng, clock = b.rng, b.clock
    templates = [
        (ACB221, "Submission of Amendment {n} to BL 125742/12", "Please accept this email as our formal submission of Amendment {n} to BL 125742/12. The amendment contains the updated process validation summary."),
        (NWT301, "Official submission: BLA 125809 amendment - updated CMC sections", "Attached are the updated Module 3 sections for BLA 125809. Please consider this email our official submission and confirm receipt."),
        (BFPIG, "CBE-30 supplement for STN 125777 - new filling line", "We are submitting the attached CBE-30 supplement for STN 125777 by email to expedite its review. Please confirm the receipt date."),
        (CRG4, "IND 012345 - Serial No. {n} (submitted by email)", "Please find attached Serial No. {n} to IND 012345, containing the updated Investigator's Brochure. We are sending it by email because our ESG account is being renewed."),
        (MCS07, "Annual report for IND 23456", "Attached is the annual report for IND 23456. Please file it to the IND."),
        (TWCELL, "510(k) submission K251234 - TW-Cell 200", "Attached is our traditional 510(k) for the TW-Cell 200 closed cell processing system. Please let us know the review fee status."),
        (LUMENSCREEN, "BP250001 - PMA amendment with final clinical study report", "Please accept the attached final clinical study report as an amendment to PMA BP250001."),
        (HVX12, "BLA 125816 – final lot release protocol for formal submission", "Please find attached the final lot release protocol for HVX-12. We kindly ask that this email be filed as an amendment to BLA 125816."),
        (DONORLEDGER, "BK251234 - response to Additional Information letter", "Attached is our complete response to the Additional Information letter for BK251234. We trust this email submission starts the review clock."),
    ]
    for i in range(count):
        sub, subject, text = templates[i % len(templates)]
        contact = sub.contacts[0]
        n = rng.randint(17, 45)
        received = clock.pick("any", sub.window)
        subject = subject.format(n=n)
        paras = [text.format(n=n)]
        if i % 2 == 0:
            paras.append("A hard copy will not follow. Please contact me if anything else is needed to complete the submission.")
        attachments = [pdf(rng, f"{sub.kind} {sub.number} - submission {i + 1} - cover letter.pdf", low=900, high=1800)]
        if i % 3 == 1 and i != 1:
            # Large submissions are sometimes sent as a file-sharing link instead.
            paras.append(f"The files are too large for email, so they are available at https://share.{contact.domain if contact.domain.endswith('.example') else 'tidewater-med.example'}/s/{rng.getrandbits(48):012x} until the end of the month.")
            attachments = []
        elif i == 1:
            # The 12-attachment message: a set of Module 3 sections.
            sections = [
                "3.2.S.1 General Information", "3.2.S.2 Manufacture", "3.2.S.3 Characterisation",
                "3.2.S.4 Control of Drug Substance", "3.2.S.5 Reference Standards", "3.2.S.6 Container Closure",
                "3.2.S.7 Stability", "3.2.P.1 Description and Composition", "3.2.P.2 Pharmaceutical Development",
                "3.2.P.3 Manufacture", "3.2.P.5 Control of Drug Product", "3.2.P.8 Stability",
            ]
            attachments = [pdf(rng, f"{s} - BLA 125809.pdf", low=700, high=1300) for s in sections]
        elif i % 3 == 0:
            attachments.append(pdf(rng, f"{sub.kind} {sub.number} - submission {i + 1} - main document.pdf", low=2500, high=4500))
        to, cc = [DANA], []
        if i % 3 == 2:
            to, cc = [sub.rpm], [DANA]
        elif i % 4 == 0:
            cc = [sub.rpm]
        body = letter("Dear Dr. Whitfield," if to[0] is DANA else f"Dear {to[0].first},", paras, "Sincerely,", contact)
        b.add(Mail("unsolicited", contact, to, subject, received, body, cc=cc, attachments=attachments))


# --- Logistics --------------------------------------------------------------------

ROOMS = ["WO71-1207", "WO71-2116", "WO71-3034", "WO71-4150", "WO71-G112", "WO52-1503"]


def dial_in(rng) -> list[str]:
    meeting = f"{rng.randint(160, 169)} {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    return [
        "Dial-in: +1 301-555-0100 (Washington DC)\n  Meeting ID: " + meeting + "\n  Passcode: " + str(rng.randint(100000, 999999)),
        f"Join online: https://meet.fda-conference.example/j/{meeting.replace(' ', '')}",
    ]


def logistics_message(b: Builder, index: int) -> Mail:
    rng = b.rng
    received = b.clock.pick("any")
    kind = index % 6
    sub = rng.choice(SUBMISSIONS)
    meeting_day = business_day(eastern(received), rng.randint(3, 16))
    when = f"{long_date(meeting_day)}, {rng.choice(['9:30 AM', '10:00 AM', '11:00 AM', '1:00 PM', '2:30 PM', '3:00 PM'])} ET"
    if kind == 0:
        sender = sub.rpm
        ref = stn_ref(rng, sub)
        subject = f"Room change: {ref} meeting on {MONTHS[meeting_day.month - 1]} {meeting_day.day}"
        paras = [f"The internal review team meeting for {ref} has moved to room {rng.choice(ROOMS)}. The time ({when}) is unchanged.", "Please bring printed copies of your discipline review outlines."]
        to, cc = [DANA, HAROLD, LENA], [VICTOR]
    elif kind == 1:
        sender = sub.rpm
        ref = stn_ref(rng, sub)
        subject = f"Teleconference dial-in - {ref} - {MONTHS[meeting_day.month - 1]} {meeting_day.day}"
        paras = [f"Below is the dial-in for the teleconference with {sub.company} on {when}.", *dial_in(rng), "FDA attendees, please join five minutes early for a quick internal huddle on the same line."]
        to, cc = [DANA, sub.contacts[0]], [VICTOR]
    elif kind == 2:
        sender = sub.rpm
        ref = stn_ref(rng, sub)
        subject = f"Agenda: {rng.choice(['late-cycle meeting', 'Type B meeting', 'internal wrap-up', 'filing meeting'])} - {ref}"
        paras = [
            f"Here is the draft agenda for {when}:",
            "1. Introductions (5 min)\n2. Discussion of outstanding CMC issues (20 min)\n3. Clinical and statistical issues (15 min)\n4. Labeling status (10 min)\n5. Action items and next steps (10 min)",
            "Please send any additions by end of day tomorrow.",
        ]
        to, cc = [DANA, HAROLD, LENA, NOAH], []
    elif kind == 3:
        sender = JOYCE
        subject = rng.choice(["Visitor badges for sponsor attendees", "Conference room booking for next week", "Updated attendee list for the advisory committee prep"])
        paras = [f"Please send me the names of any external attendees for meetings on {long_date(meeting_day)} by noon tomorrow so that security can prepare visitor badges. Visitors should arrive at the Building 1 lobby 30 minutes early."]
        to, cc = [DANA, RPM_MARCUS, RPM_ALICIA, RPM_KEVIN], []
    elif kind == 4:
        sender = VICTOR
        subject = "Review team meeting moved to Thursday"
        paras = [f"Our weekly review team meeting is moved to Thursday this week because of the training session. Same room ({rng.choice(ROOMS)}), same time.", "We will cover the status of each open BLA and the upcoming action dates."]
        to, cc = [DANA, HAROLD, LENA, RPM_MARCUS, RPM_ALICIA], []
    else:
        contact = sub.contacts[0]
        sender = contact
        ref = stn_ref(rng, sub)
        subject = f"{ref} - attendee list and slides for {MONTHS[meeting_day.month - 1]} {meeting_day.day} meeting"
        paras = [f"For the meeting on {when}, our attendees will be the {rng.choice(['Head of CMC', 'Chief Medical Officer', 'VP Quality'])}, the Director of Regulatory Affairs, and our statistician. The slides are attached.", "Could you confirm whether the meeting will be in person or by teleconference?"]
        to, cc = pick_cc(rng, sub, contact)
        body = letter("Dear Dr. Whitfield,", paras, "Best regards,", sender)
        return Mail("logistics", sender, to, subject, received, body, cc=cc,
                    attachments=[pdf(rng, f"Meeting slides - {sub.kind} {sub.number}.pdf", low=1500, high=3000)] if index % 12 == 5 else [])
    body = letter("Hi all," if len(to) > 2 else "Hi Dana,", paras, "Thanks,", sender)
    mail = Mail("logistics", sender, to, subject, received, body, cc=cc)
    if rng.random() < 0.35:
        mail.html = html_from_text(body)
    return mail


def logistics_thread(b: Builder) -> None:
    rng, clock = b.rng, b.clock
    start = clock.pick("business", (10, 10))
    steps = [
        Step(RPM_KEVIN, [ZOE], [
            "The late-cycle meeting for BLA 125816 is confirmed for October 22 from 9:00 to 10:30 AM ET by teleconference. Dial-in details will follow.",
        ], cc=[DANA, VICTOR], greeting="Dear Zoë,", closing="Regards,"),
        Step(ZOE, [RPM_KEVIN], [
            "Thank you. As the meeting starts at 15:00 Brussels time, our team will join from our office. Could you also share the late-cycle meeting background package before the meeting, as planned?",
        ], cc=[DANA], greeting="Dear Kevin,", closing="Kind regards,"),
        Step(RPM_KEVIN, [ZOE], [
            "The background package will be sent 10 days before the meeting. Here is the dial-in:",
            *dial_in(rng),
        ], cc=[DANA, VICTOR], greeting="Dear Zoë,", closing="Regards,"),
        Step(JOYCE, [DANA, RPM_KEVIN, VICTOR], [
            f"I have reserved room {ROOMS[2]} for the FDA side of the late-cycle meeting so that the team can join the call together.",
        ], greeting="Hi all,", closing="Joyce", quick=True),
        Step(RPM_KEVIN, [DANA, VICTOR, HAROLD], [
            "Internal only: please send me your late-cycle meeting topics for BLA 125816 by Friday so I can assemble the background package.",
        ], greeting="Hi all,", closing="Thanks,"),
    ]
    b.extend(build_thread(rng, clock, "logistics", "BLA 125816 late-cycle meeting - date and dial-in", start, steps))


# --- Not regulatory ------------------------------------------------------------------

def newsletter_html(title: str, items, image_host: str, rng) -> str:
    """Render a newsletter as HTML. A non-empty `image_host` adds a remote banner and tracking pixel."""
    blocks = []
    for heading, text in items:
        blocks.append(f"<h2 style=\"color:#1F4E79;font-family:Arial\">{heading}</h2>\n<p style=\"font-family:Arial\">{text}</p>")
    banner = ""
    if image_host:
        banner = (
            f'<img src="https://{image_host}/img/banner-{rng.randint(100, 999)}.png" width="600" height="120" alt="{title}">\n'
            f'<img src="https://{image_host}/track/open.gif?id={rng.getrandbits(40):010x}" width="1" height="1" alt="">\n'
        )
    return (
        "<html>\n<head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\"></head>\n"
        "<body>\n" + banner + f"<h1 style=\"font-family:Arial\">{title}</h1>\n" + "\n".join(blocks) + "\n</body>\n</html>\n"
    )


NEWSLETTER_ITEMS = [
    ("Welcome to new staff", "Please welcome the reviewers who joined the Office of Therapeutic Products this month."),
    ("Brown bag seminar", "Join us for a seminar on potency assays for cell and gene therapy products in the Great Room."),
    ("Records management", "Remember that regulatory correspondence must be filed to the official record; personal folders are not an official file."),
    ("Science symposium", "Abstract submissions for the CBER Science Symposium close at the end of the month."),
    ("Wellness", "The fitness center will offer lunchtime yoga on Tuesdays and Thursdays."),
    ("Recognition", "Congratulations to the review teams recognized at the quarterly awards ceremony."),
]

CAFE_SPECIALS = ["lentil soup", "grilled salmon", "vegetable curry", "turkey chili", "mushroom risotto", "chicken shawarma", "black bean burgers", "crème brûlée"]


def nonreg_message(b: Builder, index: int) -> Mail:
    rng = b.rng
    received = b.clock.pick("any")
    kind = index % 10
    local = eastern(received)
    html = ""
    cc = []
    to = [DANA]
    if kind == 0:
        sender = CBER_NEWS
        subject = f"CBER This Week - {MONTHS_LONG[local.month - 1]} {local.day}, {local.year}"
        items = rng.sample(NEWSLETTER_ITEMS, 3)
        body = "\n\n".join(f"{h}\n{textwrap.fill(t, 72)}" for h, t in items) + "\n\nYou are receiving this newsletter as a CBER employee.\n"
        html = newsletter_html(subject, items, "newsletter.cber-news.example" if index in (0, 20) else "", rng)
    elif kind == 1:
        sender = IT_DESK
        subject = rng.choice([
            "Scheduled maintenance: VPN unavailable Saturday 6:00 AM to 12:00 PM",
            "Your password expires in 7 days",
            "Reminder: restart your laptop to finish installing updates",
            "Service restored: shared drive access",
            "Planned outage of the document management system",
        ])
        body = fill([
            f"{subject}.",
            "If you experience problems after this notice, open a ticket through the IT service portal or call the service desk at 301-555-0199.",
            "This is an automated message. Please do not reply.",
        ]) + "\n"
    elif kind == 2:
        sender = LEARNING
        course = rng.choice(["Annual Records Management Training", "Cybersecurity Awareness Training FY2025", "No FEAR Act Training", "Ethics Training for Financial Disclosure Filers", "Privacy Awareness Training"])
        subject = f"Reminder: {course} due in {rng.choice([7, 14, 30])} days"
        body = fill([
            "Dear Dana Whitfield,",
            f"Our records show that you have not completed {course}. Please complete it in the learning portal before the due date.",
            "Completion takes about 45 minutes. Your supervisor receives a report of overdue courses.",
        ]) + "\n"
    elif kind == 3:
        sender = FOOD
        # The menu goes out at 7:15 ET on the Monday of the week it covers.
        day = local - timedelta(days=local.weekday())
        received = eastern_to_utc(datetime(day.year, day.month, day.day, 7, 15, rng.randint(0, 59)))
        subject = f"Café menu – week of {MONTHS_LONG[day.month - 1]} {day.day}"
        specials = rng.sample(CAFE_SPECIALS, 5)
        body = "This week's specials at the Building 31 café:\n\n" + "\n".join(
            f"{WEEKDAYS_LONG[i]}: {s}" for i, s in enumerate(specials)
        ) + "\n\nThe café is open 7:00 AM to 2:30 PM.\n"
        if rng.random() < 0.5:
            html = html_from_text(body)
    elif kind == 4:
        sender = FACILITIES
        subject = rng.choice(["Parking garage level 2 closed for resurfacing", "Fire drill on Wednesday morning", "Elevator maintenance in Building 71", "Water shutoff in Building 52 on Saturday"])
        body = fill([f"{subject}.", "We apologize for the inconvenience. Please follow the signs on site.", "White Oak Facilities"]) + "\n"
    elif kind == 5:
        sender = SECURITY
        subject = rng.choice(["Phishing simulation results for your division", "Tips: how to report a suspicious email", "Reminder: never send sensitive information to personal email accounts"])
        body = fill([
            "Attackers often imitate sponsors and vendors. Before opening an attachment, check the sender's address and whether you expected the message.",
            "From any FDA mailbox, use the Report Phishing button to send a suspicious message to the security team.",
        ]) + "\n"
        html = html_from_text(body)
    elif kind == 6:
        sender = SOCIAL
        if local.month >= 11:
            subject = "Holiday potluck sign-up"
        elif 5 <= local.month <= 8:
            subject = rng.choice(["Summer picnic - volunteers needed", "Farewell lunch for a colleague"])
        else:
            subject = rng.choice(["Farewell lunch for a colleague", "Blood drive in the Great Room"])
        body = fill([f"Hello OTP! {subject}: please add your name to the sign-up sheet on the shared drive.", "Everyone is welcome, including contractors and fellows."]) + "\n"
    elif kind == 7:
        sender = HR
        subject = rng.choice(["Open season for benefits begins soon", "Telework agreement renewal", "Time and attendance: certify your timesheet", "Performance plan acknowledgment due"])
        body = fill([f"{subject}.", "Details are on the Human Capital intranet page. Contact your administrative officer with questions."]) + "\n"
    elif kind == 8:
        sender = SUMMIT
        subject = "Invitation: BioReg Summit 2025 - early registration ends Friday"
        items = [("Keynote", "Regulatory science for advanced therapies."), ("Workshops", "Potency assays, comparability and platform processes.")]
        body = "BioReg Summit 2025\n\n" + "\n\n".join(f"{h}: {t}" for h, t in items) + "\n\nTo unsubscribe, reply with REMOVE.\n"
        html = newsletter_html("BioReg Summit 2025", items, "cdn.bioreg-summit.example" if index == 8 else "", rng)
    else:
        sender = VENDOR
        subject = "Webinar: automating potency assays - register now"
        body = fill([
            "Join our free webinar on automating cell-based potency assays.",
            "Register at the link in the HTML version of this email.",
        ]) + "\n"
        if index == 9:
            # The one message with a <script> element, for testing HTML sanitizing.
            html = (
                "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
                "<script src=\"https://track.labsupply.example/pixel.js\"></script>\n"
                "<script>window.labsupplyTrack && window.labsupplyTrack('webinar-2025-potency');</script>\n"
                "</head>\n<body>\n<h1>Automating potency assays</h1>\n"
                "<p>Join our free webinar on automating cell-based potency assays.</p>\n"
                "<p><a href=\"https://www.labsupply.example/webinars/potency?utm_source=email\">Register now</a></p>\n"
                "</body>\n</html>\n"
            )
        else:
            html = html_from_text(body)
    mail = Mail("nonreg", sender, to, subject, received, body, cc=cc, html=html)
    return mail


def nonreg_thread(b: Builder) -> None:
    rng, clock = b.rng, b.clock
    start = clock.pick("business", (11, 11))
    steps = [
        Step(SOCIAL, [DANA, HAROLD, LENA, JOYCE], [
            "The OTP holiday potluck is on December 17 at noon in the Great Room. Please reply with the dish you plan to bring.",
        ], greeting="Hello everyone,", closing="The Social Committee"),
        Step(HAROLD, [SOCIAL], [
            "I'll bring a vegetable lasagna. Dana said she would bring dessert.",
        ], cc=[DANA], greeting="", closing="Harold", quick=True),
        Step(JOYCE, [SOCIAL], [
            "Count me in for the drinks and the paper plates.",
        ], cc=[DANA, HAROLD], greeting="", closing="Joyce", quick=True),
    ]
    b.extend(build_thread(rng, clock, "nonreg", "Holiday potluck sign-up", start, steps))


# ---------------------------------------------------------------------------
# Assembly
# ---------------------------------------------------------------------------

TARGETS = {
    "bla": 108,
    "ind": 45,
    "device": 24,
    "spind": 15,
    "emergency": 9,
    "ir_email": 15,
    "unsolicited": 15,
    "logistics": 24,
    "nonreg": 45,
}

CATEGORY_NAMES = {
    "bla": "BLA correspondence",
    "ind": "IND correspondence",
    "device": "device submissions (BK, BP, 510(k))",
    "spind": "SPIND requests and amendments",
    "emergency": "emergency use requests, individual patient",
    "ir_email": "IR responses received by email as agreed",
    "unsolicited": "unsolicited formal submissions by email",
    "logistics": "meeting logistics",
    "nonreg": "not regulatory",
}


def build_mailbox() -> tuple[list[Mail], random.Random]:
    rng = random.Random(SEED)
    clock = Clock(rng)
    b = Builder(rng, clock)

    bla_threads(b)
    ind_threads(b)
    device_specials(b)
    logistics_thread(b)
    nonreg_thread(b)
    spind_messages(b, TARGETS["spind"])
    emergency_messages(b, TARGETS["emergency"])
    unsolicited_messages(b, TARGETS["unsolicited"])

    index = iter(range(1000))
    b.fill_to("ir_email", TARGETS["ir_email"], lambda: ir_email_message(b, next(index)))
    index = iter(range(1000))
    b.fill_to("logistics", TARGETS["logistics"], lambda: logistics_message(b, next(index)))
    index = iter(range(1000))
    b.fill_to("nonreg", TARGETS["nonreg"], lambda: nonreg_message(b, next(index)))
    b.fill_to("ind", TARGETS["ind"], lambda: ind_message(b))
    b.fill_to("device", TARGETS["device"], lambda: device_message(b))
    b.fill_to("bla", TARGETS["bla"], lambda: bla_message(b))

    for category, target in TARGETS.items():
        actual = b.count(category)
        if actual != target:
            raise SystemExit(f"error: category {category} has {actual} messages, expected {target}")

    # An export lists messages in receipt order; the index keeps ties stable.
    ordered = sorted(enumerate(b.mails), key=lambda pair: (pair[1].received, pair[0]))
    return [mail for _, mail in ordered], rng


def write_mbox(mails, rng, path: Path) -> None:
    chunks = []
    for mail in mails:
        text = render(mail, rng)
        chunks.append(f"From {mail.sender.email} {asctime(mail.received)}\n")
        chunks.append(escape_mboxrd(text))
        chunks.append("\n")
    path.write_bytes("".join(chunks).encode("utf-8"))


def write_directory(path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["stn", "product", "sponsor", "sponsor_domains", "rpm_name", "rpm_email"])
    for sub in SUBMISSIONS:
        writer.writerow([sub.stn, sub.product, sub.company, ";".join(sub.domains), sub.rpm.name, sub.rpm.email])
    path.write_bytes(out.getvalue().encode("utf-8"))


def summarize(mails) -> str:
    lines = []
    for category, name in CATEGORY_NAMES.items():
        lines.append(f"  {sum(1 for m in mails if m.category == category):4d}  {name}")
    after_hours = sum(1 for m in mails if not is_business_time(eastern(m.received)))
    lines.append(f"  {len(mails):4d}  total")
    lines.append(f"  {sum(1 for m in mails if m.html):4d}  with an HTML alternative")
    lines.append(f"  {sum(1 for m in mails if m.attachments):4d}  with attachments")
    lines.append(f"  {sum(1 for m in mails if m.in_reply_to):4d}  replies (In-Reply-To)")
    lines.append(f"  {after_hours:4d}  received outside 8:00-16:30 ET business days")
    weekend = sum(1 for m in mails if eastern(m.received).weekday() >= 5)
    holidays = sorted({eastern(m.received).date() for m in mails} & set(FEDERAL_HOLIDAYS))
    holiday_count = sum(1 for m in mails if eastern(m.received).date() in FEDERAL_HOLIDAYS)
    lines.append(f"  {weekend:4d}  received on weekends")
    lines.append(f"  {holiday_count:4d}  received on federal holidays ({len(holidays)} of {len(FEDERAL_HOLIDAYS)} holidays)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent,
                        help="folder for cber-sample.mbox and directory.csv (default: this script's folder)")
    args = parser.parse_args()
    mails, rng = build_mailbox()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_mbox(mails, rng, args.out_dir / "cber-sample.mbox")
    write_directory(args.out_dir / "directory.csv")
    print(f"wrote {args.out_dir / 'cber-sample.mbox'} and {args.out_dir / 'directory.csv'}")
    print(summarize(mails))


if __name__ == "__main__":
    main()
