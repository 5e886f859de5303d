"""Builds ORU^R01 messages with hl7apy, sends them over MLLP with python-hl7's
client and prints each answer: `control-id MSA-1 MSA-2 ERR-2`.

    hl7_client.py HOST PORT
"""
import sys

import hl7
from hl7.client import MLLPClient
from hl7apy.core import Message


def oru(control_id, time, observations, encoding_chars=None):
    message = Message("ORU_R01", version="2.6", encoding_chars=encoding_chars) if encoding_chars else Message("ORU_R01", version="2.6")
    component = (encoding_chars or {}).get("COMPONENT", "^")
    message.msh.msh_9 = component.join(["ORU", "R01", "ORU_R01"])
    message.msh.msh_3 = "PYMONITOR"
    message.msh.msh_4 = "OR"
    message.msh.msh_7 = "20261124100000+0000"
    message.msh.msh_10 = control_id
    message.msh.msh_11 = "P"
    result = message.add_group("ORU_R01_PATIENT_RESULT")
    patient = result.add_group("ORU_R01_PATIENT")
    patient.pid.pid_3 = "MRN-9"
    visit = patient.add_group("ORU_R01_VISIT")
    visit.pv1.pv1_2 = "I"
    visit.pv1.pv1_19 = "py-case"
    order = result.add_group("ORU_R01_ORDER_OBSERVATION")
    order.obr.obr_1 = "1"
    order.obr.obr_4 = "182777000"
    order.obr.obr_7 = time
    for index, (code, value, unit) in enumerate(observations, start=1):
        observation = order.add_group("ORU_R01_OBSERVATION")
        observation.obx.obx_1 = str(index)
        observation.obx.obx_2 = "NM"
        observation.obx.obx_3 = code
        observation.obx.obx_5 = value
        observation.obx.obx_6 = unit
        observation.obx.obx_11 = "R"
    return message.to_er7()


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    messages = [
        ("py-1", oru("py-1", "20261124100000+0000", [("147842^MDC_ECG_HEART_RATE^MDC", "72", "264864^MDC_DIM_BEAT_PER_MIN^MDC"),
                                                     ("150456^MDC_PULS_OXIM_SAT_O2^MDC", "97", "262688^MDC_DIM_PERCENT^MDC")])),
        ("py-2", oru("py-2", "20261124100001+0000", [("147842#MDC_ECG_HEART_RATE#MDC", "73", "/min")],
                     encoding_chars={"SEGMENT": "\r", "FIELD": "!", "COMPONENT": "#", "REPETITION": "%", "ESCAPE": "*", "SUBCOMPONENT": "@"})),
        ("py-3", oru("py-3", "20261124100002+0000", [("147842^MDC_ECG_HEART_RATE^MDC", "seventy", "264864^MDC_DIM_BEAT_PER_MIN^MDC")])),
    ]
    with MLLPClient(host, port) as client:
        for control_id, er7 in messages + messages[:1]:  # the first again: a resend
            raw = client.send_message(er7)
            text = raw.decode("utf-8").strip("\x0b\x1c\r\n")
            ack = hl7.parse(text)
            msa = ack.segment("MSA")
            errors = [segment for segment in ack if str(segment[0]) == "ERR"]
            location = str(errors[0][2]) if errors else ""
            print(control_id, str(msa[1]), str(msa[2]), location)


if __name__ == "__main__":
    main()
