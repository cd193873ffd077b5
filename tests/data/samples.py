"""Sample exports in the shapes other tools write, built from each vendor's documented
headers, and what salesdesk must make of each person. ``python -m tests.data.samples``
rewrites the files; the tests read the committed files (and check they are current).

Every file has quoted commas (``"Acme, Inc."``), multi-line notes, empty cells,
international numbers (trunk ``(0)``, extensions) and duplicates (a repeated email in
another case, a repeated number in another format).
"""

# ruff: noqa: E501  (rows of sample data read best one person a line)
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Person:
    first: str
    last: str
    company: str
    title: str
    email: str
    mobile: str  # as the file writes it
    work: str
    city: str
    note: str
    phone: str | None  # as salesdesk must store it: the mobile, else the work number


PEOPLE = [
    Person("Emma", "Müller", "Müller & Söhne GmbH", "Head of Purchasing", "Emma.Mueller@mueller-soehne.de",
           "+49 171 2345678", "+49 (0)89 1234 5600", "München", "Met at Hannover Messe.\nWants a quote for 200 units, delivery Q2.",
           "+491712345678"),
    Person("James", "O'Brien", "Acme, Inc.", "VP Sales", "james.obrien@acme.com", "+1 415 555 0101",
           "+1 415 555 0100 ext. 12", "San Francisco", "Prefers email, not calls", "+14155550101"),
    Person("Sophie", "Martin", "Dupont SA", "Directrice achats", "sophie.martin@dupont.fr", "+33 6 12 34 56 78",
           "+33 1 42 00 00 00", "Paris", "", "+33612345678"),
    Person("Carlos", "García", "Grupo Ibérico", "Gerente", "carlos.garcia@iberico.es", "+34 612 345 678", "",
           "Madrid", "Budget approved for 2026", "+34612345678"),
    Person("Renée", "Dubois", "Atelier Renée", "Owner", "renee@atelier-renee.fr", "", "+33 (0)4 78 00 00 00",
           "Lyon", "", "+33478000000"),
    Person("Priya", "Sharma", "Infotech Solutions Pvt. Ltd.", "CTO", "priya.sharma@infotech.in", "+91 98765 43210",
           "", "Bengaluru", "Call after 2pm IST", "+919876543210"),
    Person("Oliver", "Smith", "Smith & Co", "Director", "oliver@smithco.co.uk", "+44 7700 900123",
           "+44 (0)20 7946 0958", "London", "Renewal due in March;\nask about the second site", "+447700900123"),
    Person("Hannah", "Schmidt", "Bäckerei Schmidt", "Inhaberin", "h.schmidt@baeckerei-schmidt.de",
           "+49 160 9876543", "", "Hamburg", "", "+491609876543"),
    Person("Lucas", "Silva", "Silva Transportes Ltda.", "Diretor", "lucas.silva@silvatrans.com.br",
           "+55 11 91234 5678", "", "São Paulo", "Fleet of 40 trucks", "+5511912345678"),
    Person("Yuki", "Tanaka", "Tanaka Trading", "Manager", "y.tanaka@tanaka-trading.jp", "+81 90 1234 5678", "",
           "Osaka", "", "+819012345678"),
    Person("Anna", "Kowalska", "Polbud Sp. z o.o.", "Kierownik", "anna.kowalska@polbud.pl", "+48 601 234 567", "",
           "Kraków", "Wants a demo, in Polish if possible", "+48601234567"),
    Person("Mohammed", "Al-Farsi", "Gulf Logistics LLC", "Procurement Lead", "m.alfarsi@gulflog.ae",
           "+971 50 123 4567", "", "Dubai", "", "+971501234567"),
    Person("Wei", "Li", "Pacific Components Ltd", "Sourcing Manager", "wei.li@pacific-comp.com", "", "+852 2123 4567",
           "Hong Kong", "Samples sent 12 Jan", "+85221234567"),
    Person("Sarah", "Johnson", "Johnson Dental", "Practice Manager", "sarah@johnsondental.com", "+1 (212) 555-0147",
           "", "New York", "", "+12125550147"),
    Person("Michael", "Brown", "Brown Construction", "Owner", "mike@brownconstruction.com", "",
           "+1 312-555-0190 x204", "Chicago", "Busy season May-Sep", "+13125550190"),
    Person("Isabella", "Rossi", "Rossi Moda S.r.l.", "Buyer", "isabella.rossi@rossimoda.it", "+39 347 123 4567", "",
           "Milano", "", "+393471234567"),
    Person("Lars", "Nielsen", "Nordic Wind A/S", "Project Engineer", "lars.nielsen@nordicwind.dk", "+45 20 12 34 56",
           "", "Aarhus", "Tender closes in April", "+4520123456"),
    Person("Chloé", "Lefèvre", "", "Consultant", "chloe.lefevre@gmail.com", "+33 7 11 22 33 44", "", "Nantes", "",
           "+33711223344"),
    Person("David", "Cohen", "Cohen Legal", "Partner", "dcohen@cohenlegal.com", "+1 646 555 0123", "", "New York",
           "Referred by Sarah Johnson", "+16465550123"),
    Person("Ana", "Pereira", "Pereira, Lda.", "Sócia", "ana.pereira@pereira.pt", "+351 912 345 678", "", "Lisboa",
           "", "+351912345678"),
    Person("Tom", "Becker", "Becker Elektro", "", "tom.becker@becker-elektro.de", "", "", "Köln", "", None),
    Person("Grace", "Kim", "Seoul Bio", "Researcher", "grace.kim@seoulbio.kr", "+82 10 1234 5678", "", "Seoul",
           "Conference lead,\nfollow up after the holidays", "+821012345678"),
]  # fmt: skip

# Two more rows each file ends with: the same people again, written another way.
DUPLICATES = [
    Person("Jim", "O'Brien", "Acme, Inc.", "VP Sales", "JAMES.OBRIEN@ACME.COM", "", "", "", "", None),
    Person("Emma", "Mueller", "Mueller und Soehne", "", "", "0049 171 2345678", "", "", "", None),
]
ROWS = [*PEOPLE, *DUPLICATES]

# Values each vendor's picklists hold, one a person, cycling.
HUBSPOT_SOURCES = ["Organic Search", "Referrals", "Offline Sources", "Direct Traffic", "Paid Search"]
SALESFORCE_SOURCES = ["Web", "Trade Show", "Partner Referral", "Phone Inquiry", "Purchased List", "Other"]
RATINGS = ["Hot", "Warm", "Cold", ""]
# Where each source value lands in salesdesk.
SOURCE_OF = {
    "Organic Search": "inbound", "Referrals": "referral", "Offline Sources": "other", "Direct Traffic": "inbound",
    "Paid Search": "inbound", "Web": "inbound", "Trade Show": "event", "Partner Referral": "referral",
    "Phone Inquiry": "inbound", "Purchased List": "outbound", "Other": "other", "": "outbound",
}  # fmt: skip


def street(i: int) -> str:
    """A two-line street address for every third person: line breaks inside a quoted cell."""
    return f"{i + 1} Market Street\nSuite {100 + i}" if i % 3 == 0 else ""


def _us_date(i: int) -> str:
    """Salesforce (US locale) report dates: 1/5/2026 ... with days past 12 proving m/d/y."""
    return f"{1 + i % 10}/{1 + (i * 7) % 28}/2026 {1 + i % 12}:{(i * 13) % 60:02d} {'AM' if i % 2 else 'PM'}"


def hubspot() -> list[list[str]]:
    header = ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name",
              "Job Title", "Lifecycle Stage", "Lead Status", "Contact owner", "Create Date", "Original Source",
              "City", "Country/Region", "Street Address"]  # fmt: skip
    rows = [header]
    for i, p in enumerate(ROWS):
        rows.append([str(51001 + i), p.first, p.last, p.email, p.work, p.mobile, p.company, p.title,
                     "Lead" if i % 3 else "Opportunity", "", "Sam Seller", f"2026-{1 + i % 10:02d}-{1 + i:02d} 09:{i:02d}",
                     HUBSPOT_SOURCES[i % 5], p.city, "", street(i)])  # fmt: skip
    return rows


def salesforce_report() -> list[list[str]]:
    header = ["Lead Owner", "First Name", "Last Name", "Title", "Company / Account", "Email", "Phone", "Mobile",
              "Lead Source", "Rating", "Lead Status", "Create Date", "City", "Description"]  # fmt: skip
    rows = [header]
    for i, p in enumerate(ROWS):
        rows.append(["Sam Seller", p.first, p.last, p.title, p.company, p.email, p.work, p.mobile,
                     SALESFORCE_SOURCES[i % 6], RATINGS[i % 4], "Open - Not Contacted", _us_date(i), p.city, p.note])  # fmt: skip
    return rows


def salesforce_dataloader() -> list[list[str]]:
    header = ["Id", "FirstName", "LastName", "Title", "Company", "Email", "Phone", "MobilePhone", "LeadSource",
              "Rating", "Status", "CreatedDate", "Description", "City"]  # fmt: skip
    rows = [header]
    for i, p in enumerate(ROWS):
        rows.append([f"00Q5g00000Abc{i:03d}", p.first, p.last, p.title, p.company, p.email, p.work, p.mobile,
                     SALESFORCE_SOURCES[i % 6], RATINGS[i % 4], "Working - Contacted",
                     f"2026-{1 + i % 10:02d}-{1 + i:02d}T0{i % 10}:30:00.000Z", p.note, p.city])  # fmt: skip
    return rows


def pipedrive() -> list[list[str]]:
    header = ["Person - ID", "Person - Name", "Person - Label", "Person - Organization", "Person - Email - Work",
              "Person - Email - Home", "Person - Phone - Work", "Person - Phone - Mobile", "Person - Owner",
              "Person - Person created", "Person - Job title", "Person - Postal address"]  # fmt: skip
    rows = [header]
    for i, p in enumerate(ROWS):
        home = f"{p.first.lower()}@home.example" if i % 4 == 0 and p.email else ""
        rows.append([str(100 + i), f"{p.first} {p.last}", ["Hot lead", "Warm lead", "Cold lead", ""][i % 4],
                     p.company, p.email, home, p.work, p.mobile, "Sam Seller",
                     f"2026-{1 + i % 10:02d}-{1 + i:02d} 10:15:{i:02d}", p.title, street(i)])  # fmt: skip
    return rows


def google() -> list[list[str]]:
    """Google CSV (2024 on): the work number first, labelled; the mobile second."""
    header = ["First Name", "Middle Name", "Last Name", "Nickname", "Organization Name", "Organization Title",
              "Birthday", "Notes", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "Phone 1 - Label",
              "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value"]  # fmt: skip
    rows = [header]
    for p in ROWS:
        rows.append([p.first, "", p.last, "", p.company, p.title, "", p.note, "* myContacts ::: Customers",
                     "* Work" if p.email else "", p.email, "Work" if p.work else "", p.work,
                     "Mobile" if p.mobile else "", p.mobile])  # fmt: skip
    return rows


def google_legacy() -> list[list[str]]:
    """Legacy Google CSV: a full Name, "- Type" labels; both numbers in one cell when alike."""
    header = ["Name", "Given Name", "Additional Name", "Family Name", "Group Membership", "E-mail 1 - Type",
              "E-mail 1 - Value", "Phone 1 - Type", "Phone 1 - Value", "Organization 1 - Type",
              "Organization 1 - Name", "Organization 1 - Title", "Notes"]  # fmt: skip
    rows = [header]
    for p in ROWS:
        phones = " ::: ".join(n for n in (p.mobile, p.work) if n)
        rows.append([f"{p.first} {p.last}", p.first, "", p.last, "* myContacts", "* Work", p.email,
                     "Mobile" if p.mobile else "Work", phones, "", p.company, p.title, p.note])  # fmt: skip
    return rows


def outlook() -> list[list[str]]:
    """Outlook's CSV export: "Title" is Mr./Ms., the job is "Job Title"; written in cp1252."""
    header = ["Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
              "Business Street", "Business City", "Business Phone", "Home Phone", "Mobile Phone", "E-mail Address",
              "E-mail Display Name", "Notes", "Categories"]  # fmt: skip
    rows = [header]
    for i, p in enumerate(ROWS):
        rows.append(["Ms." if i % 2 == 0 else "Mr.", p.first, "", p.last, "", p.company, "", p.title, "", p.city,
                     p.work, "", p.mobile, p.email, f"{p.first} {p.last} ({p.email})" if p.email else "",
                     p.note.replace("\n", "\r\n"), ""])  # fmt: skip
    return rows


@dataclass(frozen=True)
class ChinesePerson:
    family: str
    given: str
    company: str
    title: str
    mobile: str
    landline: str
    email: str
    wechat: str
    source: str
    grade: str
    created: str
    note: str
    # What salesdesk stores:
    name: str
    phone: str | None
    source_is: str
    grade_is: str | None
    created_is: str  # local ISO date and time (TZ Asia/Shanghai in the tests)


CHINESE = [
    ChinesePerson("王", "芳", "华为技术有限公司", "采购经理", "+86 138-0013-8000", "0755-2878 0808 转 8021",
                  "wang.fang@example.com", "wf_88", "官网", "A类", "2026年10月5日", "展会认识，\n要报价",
                  "王芳", "+8613800138000", "inbound", "A", "2026-10-05T00:00"),
    ChinesePerson("李", "雷", "腾讯科技（深圳）有限公司", "技术总监", "13900000001", "", "lilei@example.cn", "",
                  "展会", "B类", "2026/11/1 9:00", "", "李雷", "13900000001", "event", "B", "2026-11-01T09:00"),
    ChinesePerson("欧阳", "娜娜", "上海家化", "市场部", "", "021-6432 1234", "nana@example.cn", "ouyang_nn",
                  "转介绍", "", "2026-09-12 14:30", "张总介绍, 重点跟进", "欧阳娜娜", "02164321234", "referral", None,
                  "2026-09-12T14:30"),
    ChinesePerson("张", "伟", "北京新东方", "", "１３７００１３７０００", "", "", "zw1985", "电话营销", "C类",
                  "2026年8月20日 10:00", "", "张伟", "13700137000", "outbound", "C", "2026-08-20T10:00"),
    ChinesePerson("刘", "洋", "比亚迪股份有限公司", "供应链经理", "+86 (0)139 1234 5678", "", "liu.yang@example.cn",
                  "", "其他", "D类", "2026/7/3", "", "刘洋", "+8613912345678", "other", "D", "2026-07-03T00:00"),
]  # fmt: skip
for n, (family, given) in enumerate(
    [
        ("陈", "静"),
        ("杨", "帆"),
        ("赵", "敏"),
        ("黄", "磊"),
        ("周", "婷"),
        ("吴", "昊"),
        ("徐", "丽"),
        ("孙", "强"),
        ("马", "超"),
        ("朱", "琳"),
        ("胡", "杰"),
        ("郭", "晶"),
        ("何", "勇"),
        ("高", "洁"),
        ("林", "峰"),
        ("罗", "薇"),
        ("司马", "懿"),
    ]
):
    CHINESE.append(
        ChinesePerson(
            family,
            given,
            ["阿里巴巴", "京东", "美团", "小米科技"][n % 4],
            "",
            f"1581234{n:04d}",
            "",
            "",
            "",
            ["官网", "展会", ""][n % 3],
            ["A类", "B类", ""][n % 3],
            f"2026年{1 + n % 9}月{1 + n}日",
            '客户说："下个月再联系"' if n % 5 == 0 else "",
            family + given,
            f"1581234{n:04d}",
            ["inbound", "event", "outbound"][n % 3],
            ["A", "B", None][n % 3],
            f"2026-{1 + n % 9:02d}-{1 + n:02d}T00:00",
        )
    )
CHINESE_DUPLICATES = 2  # 王芳 again (by mobile) and 李雷 again (by email)


def chinese_crm() -> list[list[str]]:
    header = [
        "姓",
        "名",
        "公司",
        "职位",
        "手机",
        "座机",
        "邮箱",
        "微信",
        "来源",
        "客户等级",
        "创建时间",
        "备注",
        "负责人",
    ]
    rows = [header]
    for p in CHINESE:
        rows.append([p.family, p.given, p.company, p.title, p.mobile, p.landline, p.email, p.wechat, p.source,
                     p.grade, p.created, p.note, "小王"])  # fmt: skip
    rows.append(["王", "芳", "华为", "", "13800138000", "", "", "", "", "", "", "", "小王"])
    rows.append(["李", "雷", "", "", "", "", "LILEI@EXAMPLE.CN", "", "", "", "", "", "小王"])
    return rows


def _vcard_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")


def vcard() -> str:
    """An iPhone/iCloud-style vCard 3.0 export: one card a person, CRLF lines."""
    cards = []
    for p in ROWS:
        lines = ["BEGIN:VCARD", "VERSION:3.0", f"N:{_vcard_text(p.last)};{_vcard_text(p.first)};;;",
                 f"FN:{_vcard_text(p.first + ' ' + p.last)}"]  # fmt: skip
        if p.company:
            lines.append(f"ORG:{_vcard_text(p.company)};")
        if p.title:
            lines.append(f"TITLE:{_vcard_text(p.title)}")
        if p.email:
            lines.append(f"EMAIL;type=INTERNET;type=WORK;type=pref:{p.email}")
        if p.mobile:
            lines.append(f"TEL;type=CELL;type=VOICE;type=pref:{p.mobile}")
        if p.work:
            lines.append(f"TEL;type=WORK;type=VOICE:{p.work}")
        if p.city:
            lines.append(f"ADR;type=WORK:;;;{_vcard_text(p.city)};;;")
        if p.note:
            lines.append(f"NOTE:{_vcard_text(p.note)}")
        lines.append("END:VCARD")
        cards.append("\r\n".join(lines) + "\r\n")
    return "".join(cards)


# file name -> (rows, encoding, line ending)
SAMPLES = {
    "hubspot_contacts.csv": (hubspot, "utf-8", "\n"),
    "salesforce_leads_report.csv": (salesforce_report, "utf-8-sig", "\r\n"),
    "salesforce_dataloader_leads.csv": (salesforce_dataloader, "utf-8", "\n"),
    "pipedrive_people.csv": (pipedrive, "utf-8", "\n"),
    "google_contacts.csv": (google, "utf-8", "\n"),
    "google_contacts_legacy.csv": (google_legacy, "utf-8", "\n"),
    "outlook_contacts.csv": (outlook, "cp1252", "\r\n"),
    "chinese_crm.csv": (chinese_crm, "gbk", "\r\n"),
    "icloud_contacts.vcf": (vcard, "utf-8", "\r\n"),
}


def render(name: str) -> bytes:
    make, encoding, newline = SAMPLES[name]
    made = make()
    if isinstance(made, str):
        return made.encode(encoding)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(made)
    return out.getvalue().encode(encoding)


if __name__ == "__main__":
    for name in SAMPLES:
        (HERE / name).write_bytes(render(name))
