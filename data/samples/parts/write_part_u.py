"""Part U of the samples: US records (county CPS, in-home services, dependency court).

    python data/samples/parts/write_part_u.py   # rewrites part_u.jsonl

Fictional throughout. Each sentence is (text, labels, context).
"""
import json
from pathlib import Path

FTP, RESP, PATH, MUT, INV, MIN, FABS = ("failure_to_protect", "survivor_responsibilized", "survivor_pathologized",
                                       "mutualized", "perpetrator_invisible", "minimized", "father_absent")
PAT, HARM, STR, ENG = "perpetrator_pattern", "harm_to_children", "survivor_strengths", "perpetrator_engaged"
NEG, REP, HYP, HIST = "negated", "reported", "hypothetical", "historical"


def rec(rid, team, worker, level, why, notes):
    out = {"record_id": rid, "team": team, "worker": worker, "jurisdiction": "US", "gold_level": level,
           "level_rationale": why, "notes": []}
    for i, (note_type, date, sentences) in enumerate(notes, 1):
        out["notes"].append({"note_id": f"{rid}-N{i}", "date": date, "note_type": note_type,
                             "sentences": [{"text": t, "labels": list(l), "context": c} for t, l, c in sentences]})
    return out


RECORDS = [
    rec("S151", "Intake East", "D. Whitfield", "Destructiveness",
        "Mother is held to have failed to protect and told the children will be removed if he returns; Mr. Castillo is never contacted.",
        [("hotline intake summary", "2025-01-14", [
            ("RO (school counselor) called re: Mateo (7) who came to school w/ a bruise on his cheek and said daddy was yelling at mommy all night.", [], REP),
            ("Per RO, Mateo stated mom was crying and there was glass on the kitchen floor.", [], REP),
            ("Hx: 2 prior intakes 2022, 2023 both screened out, DV allegations.", [], HIST),
            ("Family: BM Rosa Castillo (29), BF Luis Castillo (33), Mateo (7), Sofia (3).", [], None),
            ("Screened in for investigation, response time 24 hrs.", [], None)]),
         ("investigation contact", "2025-01-15", [
            ("CW made unannounced HV at 4:10pm, BM answered door, Sofia on her hip.", [], None),
            ("Home cluttered but food in fridge, beds for both kids, no hazards observed.", [], None),
            ("BM has a healing cut on her left hand that she said happened when a glass broke during the argument.", [INV], None),
            ("BM stated she and Luis have been fighting a lot since he lost his job.", [MUT], REP),
            ("CW explained to BM that by staying in the home she continues to expose the kids to DV and that is neglect.", [FTP], None),
            ("BM was tearful and kept saying she didnt know where else to go.", [], None),
            ("Mateo interviewed privately in his room, he said he hides under his bed when his dad gets loud.", [HARM], REP),
            ("BF not home at time of visit, BM states he is staying with his brother in Lorain.", [], REP),
            ("CW did not obtain a number for BF.", [FABS], None),
            ("Sofia observed, no marks, developmentally on track per BM.", [], None)]),
         ("safety plan", "2025-01-16", [
            ("Safety plan reviewed and signed by BM today.", [], None),
            ("BM agrees she will not allow Luis in the home or around the children.", [RESP], None),
            ("BM will file for a protection order by Friday 1/17 and provide CW a copy.", [RESP], None),
            ("BM understands that if she lets him back in the agency will seek custody of Mateo and Sofia.", [RESP], None),
            ("BM failed to protect the children from ongoing DV in the home and this will be the basis of the finding.", [FTP], None),
            ("Maternal aunt Marisol identified as a safety resource, phone verified.", [], None),
            ("BF has not been contacted; CW will focus services on BM as the protective parent.", [FABS], None),
            ("Next contact 1/21.", [], None)]),
         ]),
    rec("S152", "Ongoing Services 2", "K. Osei", "Blindness",
        "Violence is framed as the couple's conflict, excused by stress and drink, and described without an actor; no perpetrator pattern is named.",
        [("case plan review", "2024-09-03", [
            ("FTM held at DCS office, present: MO Brittany Haynes, FA Cody Haynes, CW, supervisor Ms. Park.", [], None),
            ("Case opened 6/24 after LE responded to a domestic disturbance at the residence.", [], None),
            ("Both parents acknowledge they have a volatile relationship and fight in front of the kids.", [MUT], None),
            ("FA states he only shoved her once and it was because she would not stop yelling.", [MIN], REP),
            ("FA reports he has been under a lot of stress at work and his drinking got out of hand this summer.", [MIN], REP),
            ("Plan: both parents to complete couples counseling at Family Resource Center.", [MUT], None),
            ("FA to complete an anger management course, 12 sessions.", [MIN], None),
            ("MO to attend parenting classes.", [], None),
            ("Kids (Aiden 9, Kaylee 5) remain in the home with in-home services.", [], None)]),
         ("home visit", "2024-10-17", [
            ("HV, both parents and both children present, home clean.", [], None),
            ("Parents report things have been calmer and they are communicating better.", [], REP),
            ("FA said he finished 6 of 12 anger mgmt sessions and has learned to walk away.", [MIN], REP),
            ("MO has a bruise on her upper arm, she said she bumped the door.", [INV], None),
            ("CW did not ask further about the bruise.", [], None),
            ("Aiden was quiet and stayed in his room most of the visit.", [], None),
            ("Kaylee showed CW her drawings and was chatty.", [], None),
            ("Next HV 11/14.", [], None)]),
         ("supervisor consult", "2024-11-20", [
            ("Discussed with supervisor, no new LE calls since opening.", [], None),
            ("There was another incident in October when MO was pushed into the TV stand per the school counselor.", [INV], REP),
            ("Supervisor notes parents continue to engage and the conflict has decreased.", [MUT], None),
            ("Agreed to continue in-home services for 60 more days then assess for closure.", [], None),
            ("Is there a pattern here beyond the incidents we know about?", [], HYP)]),
         ]),
    rec("S153", "Ongoing Services 1", "T. Nakamura", "Competence",
        "Mr. Dunn's coercive control and its effects on the children are named, Ms. Ortiz's protective efforts are documented, and he is engaged and held to his own plan.",
        [("assessment summary", "2025-03-02", [
            ("Mr. Dunn controls the family's money; Ms. Ortiz has to text him a photo of every receipt.", [PAT], None),
            ("He took her car keys on at least three occasions so she could not get to work or take the kids to appointments.", [PAT], None),
            ("On 2/19 Mr. Dunn strangled Ms. Ortiz in the hallway while Jaylen (8) watched from the stairs.", [PAT, HARM], None),
            ("Since that night Jaylen has been wetting the bed and asks every evening whether his dad is coming home.", [HARM], None),
            ("Mr. Dunn tells the children their mother is lazy and stupid, which has undermined her authority with Jaylen.", [PAT, HARM], None),
            ("Ms. Ortiz has kept both children in school and at their pediatric appointments despite his control of the car.", [STR], None),
            ("She called 911 on 2/19 and took the children to her cousin's apartment that night.", [STR], None),
            ("She has a safety word with Jaylen's teacher and has told the school who may pick the children up.", [STR], None),
            ("Ms. Ortiz works part time at a pharmacy and her shift lead describes her as reliable.", [], None)]),
         ("contact with father", "2025-03-09", [
            ("CW met with Mr. Dunn at the probation office to discuss the strangling on 2/19 and its effect on Jaylen and Ava.", [ENG], None),
            ("Mr. Dunn said she provoked him and that he barely touched her.", [MIN], REP),
            ("CW told Mr. Dunn that strangulation is a serious act that he chose and that Jaylen saw it.", [ENG], None),
            ("Mr. Dunn's case plan requires him to complete a 26-week batterer intervention program and to follow the no-contact order.", [ENG], None),
            ("CW spoke with his probation officer, Ms. Greer, who will share attendance and any violations.", [ENG], None),
            ("Mr. Dunn asked about seeing the kids; CW explained supervised visits at the agency are possible once he is enrolled in BIP.", [ENG], None),
            ("He agreed to a 2nd meeting on 3/23 to talk about his parenting and how the children have been affected.", [ENG], None)]),
         ("case plan", "2025-03-12", [
            ("Father will enroll in BIP by 3/20 and sign a release so CW can speak to the facilitator.", [ENG], None),
            ("Father will not contact Ms. Ortiz directly and will arrange visits only through the agency.", [ENG], None),
            ("Agency will help Ms. Ortiz with a gas card and bus passes while Mr. Dunn holds the car.", [], None),
            ("Jaylen referred to child therapist at Northside Clinic, first appointment 3/18.", [], None),
            ("Ava (4) is doing well in pre-K per her teacher.", [], None)]),
         ]),
    rec("S154", "Intake West", "M. Delacroix", "not_applicable",
        "A housing and supervision concern with no domestic violence anywhere in the record.",
        [("investigation contact", "2024-12-05", [
            ("Referral from landlord re: children left home alone, no heat in the apartment.", [], None),
            ("HV 12/5, MO Tasha Greene and children Jordan (10) and Mia (6) present.", [], None),
            ("Gas was shut off 11/28 for nonpayment; MO using space heaters.", [], None),
            ("MO works nights at a warehouse and Jordan watches Mia until 11pm when the neighbor checks in.", [], None),
            ("MO was defensive at first and said the landlord is trying to get her evicted.", [], REP),
            ("DV screen completed, MO denies any DV, no LE history at the address.", [], None),
            ("FA lives in Georgia, has not seen the kids in 3 yrs, pays no support.", [], None),
            ("FA was not contacted at this time.", [], None)]),
         ("case note", "2024-12-12", [
            ("CW helped MO apply for emergency utility assistance, approved 12/10, gas back on 12/11.", [], None),
            ("MO enrolled Mia in the after school program at the YMCA, fee waived.", [], None),
            ("MO agreed to a plan for evening supervision with the neighbor, Mrs. Pruitt, who was present and signed.", [], None),
            ("Jordan said he feels better now that he does not have to put Mia to bed.", [], None),
            ("No safety concerns observed, home warm, food present.", [], None),
            ("Case to be closed with referral to community services.", [], None)]),
         ]),
    rec("S155", "Intake East", "R. Albright", "Incapacity",
        "The mother's credibility and choices are made the problem and the plan is hers; the father's violence has no actor and he is not engaged.",
        [("investigation narrative", "2024-07-22", [
            ("Report received from Mercy ER: BM presented w/ fractured wrist, stated she fell.", [], None),
            ("ER SW noted old bruising in various stages of healing and BM was guarded.", [INV], None),
            ("CW interviewed BM Kayla Rhodes at the hospital, BF Derek Simms was in the waiting area and asked to sit in.", [], None),
            ("CW allowed BF to be present for part of the interview.", [], None),
            ("BM alleges that Derek twisted her arm behind her back when she tried to leave with the baby.", [PATH, PAT], REP),
            ("BM has a history of choosing violent partners, the father of her older child was also abusive.", [PATH], None),
            ("BM appears to lack insight into how her relationship choices affect the children.", [PATH], None),
            ("Infant Nevaeh (8 mo) with maternal grandmother, appears well cared for.", [], None)]),
         ("home visit", "2024-07-30", [
            ("HV at maternal grandmother's, BM and Nevaeh present.", [], None),
            ("BM was uncooperative and would not answer questions about the night of the injury.", [PATH], None),
            ("BM says she is done with Derek but she has said that before.", [PATH], None),
            ("Nevaeh was clean, fed and meeting milestones, crib in MGM's room.", [], None),
            ("BM is to attend a DV support group weekly and provide sign-in sheets.", [RESP], None),
            ("BM to obtain a mental health assessment due to her anxiety and poor judgment.", [PATH, RESP], None),
            ("There was no DV in the home per Derek.", [], REP),
            ("BF was not interviewed separately as he is not the subject of this report.", [FABS], None)]),
         ]),
    rec("S156", "Ongoing Services 2", "K. Osei", "Pre-Competence",
        "Mr. Tran's controlling behaviour is named and he is engaged, but the plan still puts the protective order and the leaving on Ms. Le.",
        [("case note", "2025-02-04", [
            ("CW met with Mr. Tran at the agency to discuss the 1/26 incident in which he punched a hole in the wall beside Ms. Le's head.", [PAT, ENG], None),
            ("Mr. Tran checks Ms. Le's phone daily and has told her she cannot visit her sister without him.", [PAT], None),
            ("Minh (11) told CW he stays awake until his father falls asleep because he is scared of what will happen.", [HARM], REP),
            ("Ms. Le has kept Minh and Anh in their routines and took them to her sister's the night of the incident.", [STR], None),
            ("Interpreter (Vietnamese) used for all contact with Ms. Le.", [], None),
            ("Mr. Tran agreed to an intake at the BIP on 2/11.", [ENG], None)]),
         ("safety plan", "2025-02-06", [
            ("Ms. Le must obtain a protective order against Mr. Tran by 2/14.", [RESP], None),
            ("Ms. Le will call police if Mr. Tran comes to the apartment.", [RESP], None),
            ("Ms. Le needs to decide whether to stay in the marriage and the agency will support her if she leaves.", [RESP], None),
            ("Mr. Tran will stay at his cousin's while the assessment is completed.", [ENG], None),
            ("Anh (5) is attending Head Start, no concerns from teacher.", [], None),
            ("Next HV scheduled 2/20 with interpreter.", [], None)]),
         ]),
]

if __name__ == "__main__":
    out = Path(__file__).with_name("part_u.jsonl")
    with open(out, "w", encoding="utf-8") as fh:
        for r in RECORDS:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    print(f"{out}: {len(RECORDS)} records, {sum(len(n['sentences']) for r in RECORDS for n in r['notes'])} sentences")
