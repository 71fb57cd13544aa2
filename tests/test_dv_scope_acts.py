"""DV scope as TAXONOMY has it (issue 14 E): one act of violence between the parties makes a record
DV, even a one-line extract; a child's behaviour or a school safety plan does not."""
from __future__ import annotations

from record_audit.engines import flag_records
from record_audit.io import Note


def test_one_partner_act_makes_a_short_extract_dv_and_stray_cues_do_not(nlp_rules):
    notes = [Note("A1", "A1-1", "Father punched mother in the face."),
             Note("A2", "A2-1", "FA hit MO. Kids at home."),
             Note("A3", "A3-1", "Home visit. Mr Osei slapped Ms Lindqvist while she was holding the baby."),
             Note("A4", "A4-1", "Report from PC Hendry. Shane Kereama kicked Hinemoa Rawiri in the back."),
             Note("A5", "A5-1", "The respondent father threw the mother against the wardrobe."),
             Note("B1", "B1-1", "Jayden (8) hit his sister at school. A safety plan was agreed with school."),
             Note("B2", "B2-1", "Mother hit the wall in frustration. Attendance 82%."),
             Note("B3", "B3-1", "If FA hits MO again the police will be called. Attendance 82%."),
             Note("B4", "B4-1", "He hit her. Attendance 82%.")]
    dv = {r.record_id: r.dv_present for r in flag_records(notes, nlp_rules)}
    assert dv == {"A1": True, "A2": True, "A3": True, "A4": True, "A5": True,
                  "B1": False, "B2": False, "B3": False, "B4": False}
