"""De-identification bench: planted names of thirteen cultural origins and planted identifiers.

Every example is a short case-note passage written here, with one person planted in it
(given names and surnames from this file's own lists, never from the de-identifier's), in
each position a name takes in case notes: alone at a sentence start and nowhere else,
possessive, with an age, hyphenated, a vocative, an addressee, the subject or object of
what a person does, after a title, a surname alone, lower-cased where the record named
the person before. Structured identifiers (phones, e-mails, addresses, postcodes, ZIP
codes, dates, case numbers, SSNs, NI numbers) are planted in other examples, and ordinary
capitalised words that are not names (days, "Court", "Police", services, label words, and
places used as places) in all of them, to count what is removed that should stay. A place
used as a place may become "[Place 1]" (a town is an identifier too) but never a name.

A name mention counts as removed when none of its words (particles such as "de", "Te",
"Ó" aside) is left in the output, in any case, more often than the example's other words
hold it ("Thank you, Will. We will call" keeps one "will"). A structured identifier leaks
when the whole value, or any of its parts with two digits or more, or its street name, is
left in the output. The examples are de-identified as the
trainers' gallery does it: the rest of the record is learned first (``Deidentifier.learn``),
then the example is redacted with those placeholders.

    .venv/bin/python bench/deid.py            # the table
    .venv/bin/python bench/deid.py --misses   # and every name that survived, in its example
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

# given names and surnames of each origin (this bench's own lists)
ORIGINS: dict[str, tuple[list[str], list[str]]] = {
    "West African": ("Kwame Ama Kofi Abena Chidi Ngozi Oluwaseun Folasade Adaeze Emeka Blessing Precious Yaw Efua "
                     "Tunde Chiamaka".split(),
                     "Mensah Okonkwo Adeyemi Boateng Nwosu Owusu Adebayo Eze Asante Diallo N'Diaye Ogunleye".split()),
    "East African": ("Wanjiru Achieng Otieno Kamau Njeri Mwangi Amani Baraka Nyokabi Zawadi Kiptoo Makena Jabari "
                     "Wairimu Abebe Selam".split(),
                     "Ochieng Kariuki Mutua Wambui Ng'ang'a Odhiambo Kimani Nyambura Tesfaye Haile Kiprono".split()),
    "South Asian": ("Priya Arjun Siddharth Ananya Harpreet Rajinder Deepika Sanjay Nusrat Farhan Tanvir Lakshmi "
                    "Kavya Manpreet".split(),
                    "Patel Sharma Singh Chaudhry Begum Rahman Iyer Banerjee Gill D'Souza Krishnamurthy Hossain".split()),
    "East Asian": ("Wei Mei Jia-Hui Hiroshi Yuki Min-jun Seo-yeon Haruto Xiaoling Jun Ji-woo Sakura Hyun Ling".split(),
                   "Zhang Wang Chen Tanaka Kim Park Nakamura Liu Huang Choi Sato Yamamoto".split()),
    "Southeast Asian": ("Linh Thanh Minh Siti Nurul Ayu Somchai Malai Rizal Maricel Rodel Kanya Phuong Dewi".split(),
                        "Nguyễn Tran Pham Santos Reyes Wijaya Srisai Phan Bautista Lê Setiawan Dimaculangan".split()),
    "Arabic": ("Ahmed Fatima Yusuf Layla Omar Aaliyah Khalid Noor Hassan Mariam Ibrahim Rania Samir Huda".split(),
               "Al-Hassan Haddad Khalil Mansour El-Amin Abdullah Saleh Nasser Farouk Al-Rashid Qureshi".split()),
    "Polish/Eastern European": ("Łukasz Agnieszka Małgorzata Tomasz Katarzyna Wojciech Ivana Dmitri Oksana Bogdan "
                                "Zofia Piotr Jelena Radek".split(),
                                "Kowalski Nowak Wiśniewska Zieliński Kovačević Petrov Shevchenko Dąbrowski Horvat "
                                "Popescu Lewandowska".split()),
    "Hispanic": ("José María Alejandro Lucía Santiago Ximena Javier Guadalupe Mateo Sofía Rocío Joaquín Iker "
                 "Yesenia".split(),
                 "García Rodríguez Hernández López Martínez Gutiérrez Ramírez Núñez Peña Castillo Ibáñez".split()),
    "Māori/Pacific": ("Aroha Tāne Mere Wiremu Hēmi Ngaire Rāwiri Moana Sione Losana Tevita Mele Mānaia Kahurangi".split(),
                      "Ngata Parata Tupou Fifita Taufa Tipene Hohaia Faleolo Tuhiwai Ngāpuhi Tamihana".split()),
    "Irish": ("Aoife Siobhán Niamh Oisín Caoimhe Seán Pádraig Saoirse Ciarán Róisín Eoin Dearbhla Clodagh Tadhg".split(),
              "O'Brien McCarthy Gallagher O'Neill Byrne Kavanagh Ó'Súilleabháin Mac-Giolla Ní-Bhriain Doherty "
              "Ó'Briain".split()),
    "Anglo": ("Jack Emily Chloe Liam Hannah Kyle Ashley Brooke Grace Mason Destiny Hope Summer Will".split(),
              "Smith Brennan Whitlock Harper Taylor Wright Baker Mills Wood Hill Walker".split()),
    "Caribbean": ("Delroy Marcia Winston Shauna Tyrone Kemar Nadine Dwayne Shanice Leroy Jermaine Tameka Jodian "
                  "Kadeem".split(),
                  "Campbell Francis Thompson Clarke Bailey McKenzie Grant Baptiste Joseph Beckford Gayle".split()),
    "Indigenous": ("Winona Tallulah Koda Tahnee Jarrah Kirra Mato Aiyana Dakota Nayeli Kaiah Yindi Wapun Tarni".split(),
                   "Blackhorse Yellowhorse Runningwater Begay Tsosie Yazzie Manyfeathers Mundine Yunupingu "
                   "Goodwater Bearheart".split()),
}
# surnames of two words are written here with a hyphen or apostrophe joined: split them back for the notes
_TWO_WORDS = {"Ó'Súilleabháin": "Ó Súilleabháin", "Mac-Giolla": "Mac Giolla", "Ní-Bhriain": "Ní Bhriain",
              "Ó'Briain": "Ó Briain"}
PARTICLES = {"de", "la", "del", "te", "ó", "ní", "mac", "al", "el", "st", "van", "von", "da", "di", "le"}

# (position, template): {G} given name, {S} surname, {F} full name, {A} an age; one person per example
POSITIONS: list[tuple[str, str]] = [
    ("sentence start, only mention", "{G} attended the appointment on time and was polite."),
    ("sentence start, only mention", "{G} disclosed that FA pushed her into the wall last week."),
    ("sentence start, only mention", "{G} was quiet during the home visit."),
    ("sentence start, only mention", "{G} has been missing school since the incident."),
    ("possessive", "CW spoke with {G}'s mother about the bruise."),
    ("possessive", "{G}'s father was not present at the visit."),
    ("possessive", "FA took {G}'s phone and read her messages."),
    ("with an age", "{G} ({A}) was present and hid behind the sofa."),
    ("with an age", "The children, {G}, {A}, and the baby, were asleep."),
    ("with an age", "CW saw {G} aged {A} alone in the bedroom."),
    ("vocative", "Thank you, {G}. We will call again on Monday."),
    ("vocative", "{G}, you did really well to call the Police."),
    ("addressee", "Dear {G},\nThis letter confirms the plan agreed at Court."),
    ("addressee", "To: {F}\nRe: safety plan review"),
    ("subject of a person's verb", "At the visit {G} cried when FA shouted at MO."),
    ("subject of a person's verb", "MO said {G} screamed and ran to the neighbour."),
    ("object of a person's verb", "FA hit {G} twice with a belt."),
    ("object of a person's verb", "The IDVA phoned {G} after the hearing."),
    ("object of a person's verb", "CW spoke with {G} alone in the kitchen."),
    ("after a title", "Ms {S} reported that FA had threatened her."),
    ("after a title", "Mr {S} denies any violence."),
    ("full name", "{F} lives with her two children in a refuge."),
    ("surname alone", "MO {F} was seen. {S} says she is frightened of FA."),
    ("hyphenated", "{H} said FA threw a mug at MO."),
    ("hyphenated", "CW met {H} and her younger brother."),
]
# the lower-case position: the record names the person first, the example writes the name in lower case
LOWER_CONTEXT = "MO {F} (mother) met CW at the office."
LOWER_EXAMPLES = ["CW told {g} about the refuge space.", "Spoke with {g} by phone; she is safe."]

# ordinary capitalised words that are not names, planted beside the names (they should mostly stay)
NON_NAMES = ["Monday", "Friday", "Wednesday", "Court", "Police", "School", "Nursery", "Hospital", "Refuge",
             "Christmas", "Easter", "English", "Urdu", "Outcome", "Plan", "Action", "Summary", "Children's Services",
             "Council", "Housing", "Probation", "Health Visitor", "Contact", "Progress", "Hope", "Summer", "Grace",
             "Family Court", "Women's Aid", "Chronology", "Concerns", "Attendance", "Bruising", "Nobody"]
# places used as places: "[Place 1]" is fine (a town identifies), a name placeholder is not
PLACES = ["Leeds", "Manchester", "Lagos", "Poland", "Glasgow", "Auckland", "Ohio", "Birmingham", "Karachi"]
NON_NAME_SENTENCES = [
    "Outcome: MO to attend the Freedom Programme on Monday.",
    "Plan: Police to be called if FA returns; School informed.",
    "Action: referral to Housing and the Council by Friday.",
    "Summary: Nursery staff report the child is settled; Hospital appointment at Christmas.",
    "MO speaks English and stays at the Refuge; Court date awaited; Children's Services involved.",
    "Contact was supervised at the Family Court on Wednesday.",
    "Progress has been slow since Easter; Probation to review.",
    "Concerns were raised by the Health Visitor; Attendance at Nursery is poor.",
    "Chronology: Bruising seen by School staff; Nobody at home when Police called.",
    "Hope is low, MO says; Women's Aid support offered. Grace period on rent arrears agreed with Housing.",
    "Summer holidays were difficult; MO's first language is Urdu.",
    "MO moved from Leeds to Manchester with the children.",
    "FA was born in Lagos and MO in Poland; both now live near Glasgow.",
    "The family lived in Auckland and later in Ohio.",
    "MO's sister in Birmingham offered a room; her parents are in Karachi.",
]


def structured(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, value, sentence) identifiers of each kind, with fresh digits."""
    d = lambda n: "".join(str(rng.randrange(10)) for _ in range(n))  # noqa: E731
    letters = lambda n: "".join(rng.choice("ABCEGHJKLMNPRSTWXYZ") for _ in range(n))  # noqa: E731
    street = rng.choice(["Larkspur Close", "Maple Avenue", "Oak Street", "Mill Lane", "Kingfisher Road",
                         "Rowan Drive", "Victoria Terrace", "Harlan St"])
    month = rng.choice(["January", "March", "June", "September", "November"])
    out = [
        ("phone", f"0{rng.choice(['7700', '7911', '1632', '20'])} {d(3)} {d(3)}", "MO can be reached on {v}."),
        ("phone", f"({d(3)}) 555-{d(4)}", "FA left a voicemail from {v}."),
        ("phone", f"+44 7{d(3)} {d(6)}", "Call the IDVA on {v} if worried."),
        ("e-mail", f"{rng.choice(['mum', 'dana', 'k.smith', 'tk'])}{d(2)}@example.org", "She e-mailed from {v} today."),
        ("address", f"{rng.randrange(1, 300)} {street}", "MO moved to {v} last week."),
        ("address", f"Flat {rng.randrange(1, 40)}{rng.choice('ABC')}", "They live in {v} above the shop."),
        ("postcode", f"{letters(2)}{rng.randrange(1, 20)} {rng.randrange(1, 10)}{letters(2)}", "New address postcode {v}."),
        ("ZIP code", f"OH {d(5)}", "Her sister lives in Columbus, {v}."),
        ("date", f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}/20{rng.randrange(18, 26)}", "Seen on {v} at home."),
        ("date", f"{rng.randrange(1, 29)} {month} 20{rng.randrange(18, 26)}", "The hearing is on {v}."),
        ("case number", f"CP-20{rng.randrange(18, 26)}-{d(6)}", "Case {v} was opened."),
        ("case number", f"ref {d(4)}/{d(4)}", "Police {v} attached."),
        ("SSN", f"{d(3)}-{d(2)}-{d(4)}", "FA's SSN {v} is on file."),
        ("NI number", f"{letters(2)} {d(2)} {d(2)} {d(2)} {rng.choice('ABCD')}", "MO's NI number is {v}."),
    ]
    return [(kind, value, sentence.format(v=value)) for kind, value, sentence in out]


@dataclass
class Case:
    origin: str
    position: str
    context: list[str]
    example: list[str]
    mentions: list[str]  # the planted name as written
    identifiers: list[tuple[str, str]] = field(default_factory=list)



def build_cases(seed: int = 7, per_position: int = 2) -> list[Case]:
    """The examples: every origin in every position ``per_position`` times, identifiers and non-names beside."""
    rng = random.Random(seed)
    cases = []
    for origin, (given, surnames) in ORIGINS.items():
        for position, template in POSITIONS:
            for _ in range(per_position):
                g, s = rng.choice(given), _TWO_WORDS.get(x := rng.choice(surnames), x)
                g2 = rng.choice([n for n in given if n != g])
                s2 = rng.choice([n for n in surnames if n != x and n not in _TWO_WORDS])
                # a double given name ("Kwame-Yaw") or a double-barrelled surname ("Mensah-Boateng")
                hyphen = f"{g}-{g2}" if rng.random() < 0.5 or " " in s else f"{s}-{s2}"
                age = rng.randrange(1, 17)
                text = template.format(G=g, S=s, F=f"{g} {s}", A=age, H=hyphen)
                planted = {"{G}": g, "{S}": s, "{F}": f"{g} {s}", "{H}": hyphen}
                mentions = [value for key, value in planted.items() if key in template]
                if "{F}" in template and "{S}" in template:
                    mentions = [f"{g} {s}", s]
                filler = rng.choice(NON_NAME_SENTENCES)
                cases.append(Case(origin, position, [], [filler, text], mentions))
        for template in LOWER_EXAMPLES:
            for _ in range(per_position):
                g, s = rng.choice(given), _TWO_WORDS.get(x := rng.choice(surnames), x)
                context = [LOWER_CONTEXT.format(F=f"{g} {s}"), rng.choice(NON_NAME_SENTENCES)]
                cases.append(Case(origin, "lower case, named earlier in the record", context,
                                  [rng.choice(NON_NAME_SENTENCES), template.format(g=g.lower())], [g.lower()]))
    for _ in range(6):
        ids = structured(rng)
        for k in range(0, len(ids), 3):
            chunk = ids[k:k + 3]
            cases.append(Case("(identifiers)", "structured", [], [rng.choice(NON_NAME_SENTENCES),
                                                                   *(s for _, _, s in chunk)], [],
                              identifiers=[(kind, value) for kind, value, _ in chunk]))
    return cases


def _words(name: str) -> list[str]:
    """The words of a name that must be gone: its parts, particles aside."""
    parts = re.split(r"[\s\-]+", name.replace("'", " ").replace("’", " ")) if "-" in name else name.split()
    whole = [p for p in name.split() if p.lower() not in PARTICLES]
    pieces = [p for p in parts if len(p) >= 3 and p.lower() not in PARTICLES]
    return sorted(set(whole) | set(pieces), key=len, reverse=True)


def _count(word: str, text: str) -> int:
    return len(re.findall(rf"(?<![\w\[]){re.escape(word)}(?!\w)", text, flags=re.I))


def survives(word: str, out: str, others: str) -> bool:
    """Whether ``word`` is left in ``out`` more often than the example's other words hold it."""
    return _count(word, out) > _count(word, others)


def _id_parts(value: str) -> list[str]:
    """The parts of an identifier that must not be left: the whole, numbers of 2+ digits, a street's name."""
    parts = [value] + [p for p in re.findall(r"\w+", value) if sum(c.isdigit() for c in p) >= 2]
    street = re.match(r"\d+\s+([A-Z][a-z]+)\s", value)
    return parts + ([street.group(1)] if street else [])


def _covered(redaction, start: int, end: int) -> str | None:
    """The placeholder that replaced any of [start, end) of the original text, or None."""
    for o_start, o_end, n_start, n_end in redaction.replaced:
        if o_start < end and start < o_end:
            return redaction.text[n_start:n_end]
    return None


def run(cases: list[Case], deid) -> dict:
    from record_audit.pipeline.deid import Pseudonyms

    names = defaultdict(lambda: [0, 0])  # origin -> [mentions, removed]
    positions = defaultdict(lambda: [0, 0])
    leaked, planted_ids = [], Counter()
    non_names, removed_words = [0, 0], Counter()  # [planted, removed]
    places, named_places = [0, 0], Counter()  # [planted, made a name]
    misses = []
    for case in cases:
        pseudonyms = Pseudonyms()
        if case.context:
            deid.learn(case.context, pseudonyms)
        redactions = deid.redact(case.example, pseudonyms)
        out = " ".join(r.text for r in redactions)
        source = " ".join(case.example)
        for mention in case.mentions:
            others = re.sub(rf"(?<!\w){re.escape(mention)}(?!\w)", " ", source, flags=re.I)
            gone = not any(survives(w, out, others) for w in _words(mention))
            for table, key in ((names, case.origin), (positions, case.position), (names, "all")):
                table[key][0] += 1
                table[key][1] += gone
            if not gone:
                misses.append((case.origin, case.position, mention, out))
        for kind, value in case.identifiers:
            planted_ids[kind] += 1
            left = [p for p in _id_parts(value) if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", out)]
            if left:
                leaked.append((kind, value, out))
        for text, redaction in zip(case.example, redactions):
            for words, counts, removed in ((NON_NAMES, non_names, removed_words), (PLACES, places, named_places)):
                for word in words:
                    for m in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                        tag = _covered(redaction, m.start(), m.end())
                        counts[0] += 1
                        if tag and (words is NON_NAMES or tag.startswith("[Name")):
                            counts[1] += 1
                            removed[word] += 1
    return {"names": dict(names), "positions": dict(positions), "leaked": leaked, "identifiers": planted_ids,
            "non_names": non_names, "removed_words": removed_words, "places": places,
            "named_places": named_places, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--per-position", type=int, default=2)
    parser.add_argument("--misses", action="store_true", help="print each surviving name in its example")
    args = parser.parse_args()
    from record_audit.pipeline.deid import Deidentifier

    start = time.perf_counter()
    deid = Deidentifier()
    cases = build_cases(args.seed, args.per_position)
    result = run(cases, deid)
    elapsed = time.perf_counter() - start
    print(f"{len(cases)} examples, seed {args.seed}, {elapsed:.0f} s\n")
    print("| origin | name mentions | removed | share removed |\n|---|---:|---:|---:|")
    for origin in [*ORIGINS, "all"]:
        n, gone = result["names"][origin]
        label = "**all origins**" if origin == "all" else origin
        print(f"| {label} | {n} | {gone} | {gone / n:.3f} |")
    print("\n| position | name mentions | removed | share removed |\n|---|---:|---:|---:|")
    for position, (n, gone) in result["positions"].items():
        print(f"| {position} | {n} | {gone} | {gone / n:.3f} |")
    total_ids = sum(result["identifiers"].values())
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(result["identifiers"].items()))
    print(f"\nstructured identifiers leaked: {len(result['leaked'])} of {total_ids} ({kinds})")
    planted, removed = result["non_names"]
    which = ", ".join(f"{w} {n}" for w, n in result["removed_words"].most_common()) or "none"
    print(f"ordinary capitalised words that are not names removed: {removed} of {planted} ({which})")
    planted, named = result["places"]
    which = ", ".join(f"{w} {n}" for w, n in result["named_places"].most_common()) or "none"
    print(f"places used as places made a name: {named} of {planted} ({which})")
    if args.misses:
        for origin, position, mention, out in result["misses"]:
            print(f"MISSED {origin} / {position}: {mention!r} in {out!r}")
        for kind, value, out in result["leaked"]:
            print(f"LEAKED {kind}: {value!r} in {out!r}")
    worst = min(gone / n for o, (n, gone) in result["names"].items() if o != "all")
    n, gone = result["names"]["all"]
    ok = gone / n >= 0.99 and worst >= 0.98 and not result["leaked"]
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
