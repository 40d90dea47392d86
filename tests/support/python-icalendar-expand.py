"""Expands the recurring events of an iCalendar feed (stdin) as a client would, with Debian's
python3-icalendar (parsing) and python3-dateutil (RRULE), and prints the occurrences as JSON.

RRULE is expanded on naive wall times of DTSTART's zone, then each is placed in the zone (pytz's
localize: the same wall time in summer and winter); UNTIL (UTC) bounds the instants. EXDATEs are
removed, and overrides (same UID, RECURRENCE-ID) replace the occurrence they name. argv[1]: the most
occurrences per series (for series without end).
"""
import json
import sys
from datetime import date, datetime, timezone

import icalendar
from dateutil.rrule import rrulestr


def iso_utc(value):
    return value.astimezone(timezone.utc).isoformat()


def localize(tz, naive):
    return tz.localize(naive) if hasattr(tz, "localize") else naive.replace(tzinfo=tz)


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    masters, overrides = {}, {}
    for ev in cal.walk("VEVENT"):
        uid = str(ev.get("UID"))
        if ev.get("RECURRENCE-ID") is not None:
            overrides.setdefault(uid, {})[iso_utc(ev.decoded("RECURRENCE-ID"))] = ev
        else:
            masters[uid] = ev
    out = []
    for uid, ev in masters.items():
        start = ev.decoded("DTSTART")
        end = ev.decoded("DTEND") if ev.get("DTEND") is not None else None
        if isinstance(start, date) and not isinstance(start, datetime):
            raise ValueError("all-day series are not expanded by this script")
        tz = start.tzinfo
        length = end - start if end is not None else None
        rule = ev.get("RRULE")
        if rule is None:
            continue
        text = rule.to_ical().decode()
        parts = [p for p in text.split(";") if not p.startswith("UNTIL=")]
        until = rule.get("UNTIL")
        until = until[0] if until else None
        exdates = set()
        for prop in ev.get("EXDATE", []) if isinstance(ev.get("EXDATE"), list) else [ev.get("EXDATE")] if ev.get("EXDATE") is not None else []:
            for d in prop.dts:
                exdates.add(iso_utc(d.dt))
        naive_start = start.replace(tzinfo=None)
        count = 0
        for naive in rrulestr(";".join(parts), dtstart=naive_start):
            occ = localize(tz, naive)
            if until is not None and occ.astimezone(timezone.utc) > until.astimezone(timezone.utc):
                break
            count += 1
            if count > limit:
                break
            key = iso_utc(occ)
            item = {"uid": uid, "recurrence_id": key, "start": key, "end": iso_utc(localize(tz, naive + length)) if length is not None else None,
                    "local_start": naive.isoformat(), "status": str(ev.get("STATUS")), "location": str(ev.get("LOCATION")), "override": False}
            if key in exdates:
                item["excluded"] = True
            o = overrides.get(uid, {}).get(key)
            if o is not None:
                item.update({"start": iso_utc(o.decoded("DTSTART")), "end": iso_utc(o.decoded("DTEND")) if o.get("DTEND") is not None else None,
                             "status": str(o.get("STATUS")), "location": str(o.get("LOCATION")), "override": True})
            out.append(item)
    print(json.dumps(out, ensure_ascii=False))


main()
