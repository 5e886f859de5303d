"""third_cases - synthetic intra-operative vital-sign cases (numpy only).

Written without reading the detector's code, as an independent check of it.
`python -m third_cases --cases N --seed S --out DIR`; a seed gives byte-identical
output (one SeedSequence child per case). DIR gets case_NNNN.csv.gz
(case_id,t_seconds,hr,sbp,dbp,mbp,spo2,rr,etco2,temp), feeds.csv, third_events.csv
(ground truth; not events.csv, which a downstream tool reads in its own format),
events_detail.csv (mode, primary vital, target, latent seconds beyond each limit,
cause/treatment), confounders.csv (artefacts, benign states) and cases_meta.csv.

Two layers. (1) Latent physiology at 1 s (physiology.py): age-dependent baseline;
pre-op -> pre-oxygenation -> induction (MAP to 74-92 % of awake) -> intubation,
incision and extubation surges -> slow drift -> emergence. SBP/DBP come from MAP and
a pulse pressure scaling with MAP^0.8. Ventilation: induction apnoea, ETT at a set
rate (30 % at 6-8/min before emergence) or spontaneous LMA. Without events the
baseline stays within limits. (2) Monitors (monitors.py, sampling.py) observe it:
feed/devices, artefacts, interval 1-60 s, median or snapshot, jitter, dropouts.

Events (events_*.py, ~1.2/h, only kinds visible on the feed): hypotension,
haemorrhage, brady/tachycardias, SVT, bronchospasm, endobronchial tube, circuit
disconnection, hypertension, hypoventilation, hypo/hyperthermia. Each is an
onset->peak->hold->recovery profile aimed at a target, in mode sustained, brief
or near miss (relabelled if drift crosses the limit anyway); clinician responses
and rebounds are inside the window. onset = first change, end = full recovery.
Artefacts (art zeroing/flush/sampling/damping, SpO2 probe off, diathermy, ...) are
listed in confounders.csv. No waveforms; one adult archetype.
"""
