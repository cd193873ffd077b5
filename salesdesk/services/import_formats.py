"""What other tools' exports look like: header tables per known format, generic header
synonyms, and picklist values mapped to salesdesk's. Data only, so a new format is a new
table, not a new branch in the importer.

A header maps to a *spec*:

- a lead field (``name``, ``company``, ``phone``, ``email``, ``source``...);
- a part of the name: ``name.first``, ``name.middle``, ``name.last`` (combined in the
  order the name's script expects);
- ``phone.mobile``: a phone that wins over the file's other phones (they go to the notes);
- ``note``: kept in the notes as ``Header: value`` (addresses, websites, statuses);
- ``-``: a known column with nothing worth keeping (record ids, owners).

Headers are compared in the form ``header_key`` gives (case, width, spaces, ``_`` and ``-``
folded), so ``E-mail Address`` and ``e_mail address`` are one header.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

IGNORE = "-"
NOTE = "note"


def header_key(header: str) -> str:
    folded = unicodedata.normalize("NFKC", header).casefold().strip()
    return re.sub(r"[\s_\-]+", " ", folded).strip()


def _table(specs: dict[str, str]) -> dict[str, str]:
    return {header_key(header): spec for header, spec in specs.items()}


# Headers as generic CRM and Excel sheets (English and Chinese) spell them: used for any
# column a recognised format's own table does not name.
GENERIC = _table(
    {
        **dict.fromkeys(("name", "full name", "contact", "contact name", "display name", "姓名", "名字", "联系人",
                         "客户姓名", "客户", "客户名称", "联系人姓名", "nombre completo", "nom complet"), "name"),
        **dict.fromkeys(("first name", "firstname", "given name", "first", "名", "vorname", "prénom", "prenom",
                         "nombre"), "name.first"),
        **dict.fromkeys(("middle name", "additional name"), "name.middle"),
        **dict.fromkeys(("last name", "lastname", "surname", "family name", "last", "姓", "nachname", "nom",
                         "apellido", "apellidos"), "name.last"),
        **dict.fromkeys(("company", "company name", "account", "account name", "organization", "organisation",
                         "organization name", "firma", "unternehmen", "société", "societe", "entreprise",
                         "empresa", "公司", "公司名称", "单位", "单位名称", "企业", "企业名称"), "company"),
        **dict.fromkeys(("title", "job title", "position", "职位", "职务", "头衔"), "title"),
        **dict.fromkeys(("mobile", "mobile phone", "mobile number", "cell", "cell phone", "手机", "手机号",
                         "手机号码", "移动电话", "handy", "mobil", "mobiltelefon", "portable", "móvil",
                         "movil", "celular"), "phone.mobile"),
        **dict.fromkeys(("phone", "phone number", "tel", "telephone", "work phone", "business phone", "telefon",
                         "téléphone", "teléfono", "telefono", "电话",
                         "电话号码", "联系电话", "座机", "办公电话", "固定电话"), "phone"),
        **dict.fromkeys(("email", "e mail", "email address", "e mail address", "mail", "邮箱", "电子邮件",
                         "电子邮箱", "邮件", "邮箱地址", "courriel", "correo", "correo electrónico"), "email"),
        **dict.fromkeys(("wechat", "wechat id", "weixin", "微信", "微信号"), "wechat"),
        **dict.fromkeys(("source", "lead source", "来源", "线索来源", "客户来源", "渠道", "来源渠道", "获客渠道"),
                        "source"),
        **dict.fromkeys(("grade", "rating", "等级", "级别", "客户等级", "客户级别"), "grade"),
        **dict.fromkeys(("created at", "created", "created time", "creation date", "create date", "created date",
                         "创建时间", "创建日期", "录入时间", "录入日期"), "created_at"),
        **dict.fromkeys(("role", "角色"), "role"),
        **dict.fromkeys(("notes", "note", "remarks", "remark", "comment", "comments", "description", "备注",
                         "说明", "描述"), "notes"),
        **dict.fromkeys(("address", "street", "city", "country", "website", "地址", "城市", "省份", "网址",
                         "行业", "industry", "department", "部门", "status", "状态", "跟进状态"), NOTE),
    }
)  # fmt: skip

# One table per export whose headers its vendor documents. A format is recognised when
# enough of its headers are in the file; its table wins over GENERIC for those headers.
FORMATS: dict[str, dict[str, str]] = {
    # salesdesk's own `export leads` (exports.LEAD_COLUMNS): a round trip needs no --map.
    "salesdesk export": _table(
        {
            "id": IGNORE, "name": "name", "company": "company", "title": "title", "phone": "phone",
            "email": "email", "wechat": "wechat", "source": "source", "grade": "grade", "status": IGNORE,
            "is_coach": IGNORE, "role": "role", "notes": "notes", "created_at": "created_at",
            "closed_at": IGNORE, "close_reason": IGNORE, "touch_count": IGNORE, "last_touch_at": IGNORE,
        }
    ),
    # HubSpot: Contacts > Export (default properties, their labels as column headers).
    "HubSpot contacts": _table(
        {
            "Record ID": IGNORE, "First Name": "name.first", "Last Name": "name.last", "Email": "email",
            "Phone Number": "phone", "Mobile Phone Number": "phone.mobile", "Company Name": "company",
            "Job Title": "title", "Lifecycle Stage": NOTE, "Lead Status": NOTE, "Contact owner": IGNORE,
            "Create Date": "created_at", "Last Activity Date": IGNORE, "Original Source": "source",
            "City": NOTE, "Country/Region": NOTE, "Website URL": NOTE, "Street Address": NOTE,
        }
    ),
    # Salesforce Lightning report export, lead and contact reports (field labels).
    "Salesforce report": _table(
        {
            "Lead Owner": IGNORE, "Contact Owner": IGNORE, "Salutation": IGNORE, "First Name": "name.first",
            "Last Name": "name.last", "Title": "title", "Company / Account": "company", "Account Name": "company",
            "Email": "email", "Phone": "phone", "Mobile": "phone.mobile", "Lead Source": "source",
            "Rating": "grade", "Lead Status": NOTE, "Create Date": "created_at", "Created Date": "created_at",
            "Street": NOTE, "City": NOTE, "State/Province": NOTE, "Country": NOTE, "Mailing City": NOTE,
            "Mailing Country": NOTE, "Description": "notes", "Industry": NOTE,
        }
    ),
    # Salesforce Data Loader / Data Export: API names of the Lead and Contact objects.
    "Salesforce Data Loader": _table(
        {
            "Id": IGNORE, "OwnerId": IGNORE, "AccountId": IGNORE, "Salutation": IGNORE, "FirstName": "name.first",
            "MiddleName": "name.middle", "LastName": "name.last", "Name": "name", "Title": "title",
            "Company": "company", "Email": "email", "Phone": "phone", "MobilePhone": "phone.mobile",
            "LeadSource": "source", "Rating": "grade", "Status": NOTE, "CreatedDate": "created_at",
            "Description": "notes", "Street": NOTE, "City": NOTE, "Country": NOTE, "Industry": NOTE,
            "Website": NOTE, "IsDeleted": IGNORE, "LastModifiedDate": IGNORE,
        }
    ),
    # Pipedrive: Contacts > People > Export (columns are "Person - <field>").
    "Pipedrive people": _table(
        {
            "Person - ID": IGNORE, "Person - Name": "name", "Person - First name": "name.first",
            "Person - Last name": "name.last", "Person - Organization": "company", "Person - Job title": "title",
            "Person - Email - Work": "email", "Person - Email - Home": "email", "Person - Email - Other": "email",
            "Person - Phone - Mobile": "phone.mobile", "Person - Phone - Work": "phone",
            "Person - Phone - Home": "phone", "Person - Phone - Other": "phone", "Person - Label": NOTE,
            "Person - Owner": IGNORE, "Person - Person created": "created_at", "Person - Notes": "notes",
            "Person - Postal address": NOTE,
        }
    ),
    # Google Contacts export, "Google CSV" since 2024: labels and values in pairs.
    "Google Contacts": _table(
        {
            "First Name": "name.first", "Middle Name": "name.middle", "Last Name": "name.last",
            "Nickname": IGNORE, "Organization Name": "company", "Organization Title": "title",
            "Organization Department": NOTE, "Birthday": IGNORE, "Notes": "notes", "Labels": IGNORE,
            **{f"E-mail {n} - Value": "email" for n in range(1, 5)},
            **{f"Phone {n} - Value": "phone" for n in range(1, 5)},
            **{f"{kind} {n} - Label": IGNORE for kind in ("E-mail", "Phone", "Address") for n in range(1, 5)},
            **{f"Address {n} - Formatted": NOTE for n in range(1, 3)},
        }
    ),
    # Google Contacts' legacy "Google CSV" (before 2024): Given/Family, "- Type" labels.
    "Google Contacts (legacy)": _table(
        {
            "Name": "name", "Given Name": "name.first", "Additional Name": "name.middle",
            "Family Name": "name.last", "Nickname": IGNORE, "Group Membership": IGNORE, "Notes": "notes",
            "Organization 1 - Name": "company", "Organization 1 - Title": "title", "Organization 1 - Type": IGNORE,
            **{f"E-mail {n} - Value": "email" for n in range(1, 5)},
            **{f"Phone {n} - Value": "phone" for n in range(1, 5)},
            **{f"{kind} {n} - Type": IGNORE for kind in ("E-mail", "Phone", "Address") for n in range(1, 5)},
            **{f"Address {n} - Formatted": NOTE for n in range(1, 3)},
        }
    ),
    # Outlook (classic and new) "Comma Separated Values" export. Its "Title" is Mr./Ms.
    "Outlook contacts": _table(
        {
            "Title": IGNORE, "First Name": "name.first", "Middle Name": "name.middle", "Last Name": "name.last",
            "Suffix": IGNORE, "Company": "company", "Department": NOTE, "Job Title": "title",
            "E-mail Address": "email", "E-mail 2 Address": "email", "E-mail 3 Address": "email",
            "Mobile Phone": "phone.mobile", "Business Phone": "phone", "Business Phone 2": "phone",
            "Home Phone": "phone", "Other Phone": "phone", "Primary Phone": "phone", "Business Fax": IGNORE,
            "Business Street": NOTE, "Business City": NOTE, "Business Country/Region": NOTE, "Notes": "notes",
            "E-mail Display Name": IGNORE, "Web Page": NOTE, "Categories": IGNORE,
        }
    ),
    # vCard (.vcf from iPhone/iCloud, Android, Outlook): import_files.VCARD_HEADERS.
    "vCard": _table(
        {
            "Full Name": "name", "Given Name": "name.first", "Middle Name": "name.middle",
            "Family Name": "name.last", "Organization": "company", "Job Title": "title", "Mobile": "phone.mobile",
            "Phone": "phone", "E-mail": "email", "Note": "notes", "Address": NOTE,
        }
    ),
    # Chinese CRM sheets (纷享销客, 销售易, 企业微信 and hand-made Excel): 姓/名 split, 手机 and 座机.
    "Chinese CRM sheet": _table(
        {
            "客户名称": "name", "姓名": "name", "联系人": "name", "姓": "name.last", "名": "name.first",
            "公司": "company", "公司名称": "company", "单位": "company", "职位": "title", "职务": "title",
            "手机": "phone.mobile", "手机号": "phone.mobile", "电话": "phone", "座机": "phone", "邮箱": "email",
            "微信": "wechat", "来源": "source", "渠道": "source", "等级": "grade", "客户等级": "grade",
            "创建时间": "created_at", "录入时间": "created_at", "备注": "notes", "地址": NOTE, "负责人": IGNORE,
        }
    ),
}  # fmt: skip

# Fewer headers than this in common with a format is chance (Email, Phone...), not that format.
MIN_FORMAT_HEADERS = 4


def detect_format(headers: Iterable[str]) -> str | None:
    """The known format sharing the most headers with the file (at least MIN_FORMAT_HEADERS)."""
    keys = {header_key(h) for h in headers}
    best, best_count = None, MIN_FORMAT_HEADERS - 1
    for name, table in FORMATS.items():
        count = len(keys & table.keys())
        if count > best_count:
            best, best_count = name, count
    return best


def spec_for(header: str, fmt: str | None) -> str | None:
    key = header_key(header)
    if fmt is not None and key in FORMATS[fmt]:
        return FORMATS[fmt][key]
    return GENERIC.get(key)


# Picklist values as CRMs spell them -> salesdesk's sources (config.SOURCES). Extend in
# config.toml with [import.sources] "Messe" = "event".
SOURCE_VALUES = _table(
    {
        **dict.fromkeys(("inbound", "web", "website", "web form", "web site", "online", "organic search",
                         "paid search", "direct traffic", "social media", "paid social", "email marketing",
                         "advertisement", "phone inquiry", "web referral",
                         "官网", "网站", "网络", "线上", "广告", "搜索", "百度", "400电话",
                         "官网咨询", "自然搜索"), "inbound"),
        **dict.fromkeys(("outbound", "cold call", "cold calling", "purchased list", "list", "电话营销", "陌拜",
                         "外呼", "陌生拜访", "地推"), "outbound"),
        **dict.fromkeys(("referral", "referrals", "partner", "partner referral", "employee referral",
                         "customer referral", "external referral",
                         "word of mouth", "转介绍", "推荐", "客户推荐", "朋友介绍", "老客户介绍",
                         "介绍"), "referral"),
        **dict.fromkeys(("event", "events", "trade show", "tradeshow", "conference", "seminar", "webinar",
                         "seminar - internal", "seminar - partner", "展会", "会议", "活动", "研讨会", "沙龙"),
                        "event"),
        **dict.fromkeys(("other", "others", "offline", "other campaigns", "offline sources", "其他", "其它"),
                        "other"),
    }
)  # fmt: skip

# Grades as sheets write them -> A-D. Hot/Warm/Cold are a different scale (temperature, not
# fit), so a Rating column holding them is kept in the notes, not guessed into grades.
GRADE_VALUES = _table(
    {
        **{f"{g}{suffix}": g for g in "ABCD" for suffix in ("", "级", "类", " class", "类客户", "级客户")},
        **{f"{g.lower()}": g for g in "ABCD"},
    }
)

VALUE_TABLES = {"source": SOURCE_VALUES, "grade": GRADE_VALUES}


def value_tables(extra: dict[str, dict[str, str]] | None = None) -> dict[str, dict[str, str]]:
    """The built-in picklist tables with config's ``[import.sources]``/``[import.grades]`` on top."""
    tables = {field: dict(table) for field, table in VALUE_TABLES.items()}
    for field, values in (extra or {}).items():
        tables[field].update({header_key(k): v for k, v in values.items()})
    return tables


# Scripts written without spaces, family name first (中文, 日本語, 한국어 as usually written).
_FAMILY_FIRST = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def family_first(text: str) -> bool:
    return bool(_FAMILY_FIRST.search(text))


def join_name(first: str, middle: str, last: str) -> str:
    """``王``+``芳`` -> ``王芳``; ``Emma``+``Müller`` -> ``Emma Müller``."""
    if family_first(last) and (not first or family_first(first)):
        return last + middle + first
    return " ".join(part for part in (first, middle, last) if part)
