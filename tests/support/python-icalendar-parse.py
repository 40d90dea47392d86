"""Parses an iCalendar feed (stdin) with Debian's python3-icalendar and prints what it read as JSON.

Used by the iCal tests as an independent parser. python-icalendar 4 resolves a TZID it knows through
pytz (its own copy of the tz database) and uses the feed's VTIMEZONE only for unknown names, so every
zoned time is given twice: `utc` as the library reads it, and `utc_from_vtimezone`, computed with
`Timezone.to_tz()` from the VTIMEZONE in the feed — the check that our VTIMEZONE is right.
"""
import json
import sys
from datetime import date, datetime, timezone

import icalendar


def text(value):
    return None if value is None else str(value)


def param(prop, name):
    params = getattr(prop, "params", None)
    return None if params is None else params.get(name)


def instant(prop, zones):
    if prop is None:
        return None
    value = prop.dt
    tzid = param(prop, "TZID")
    if isinstance(value, datetime):
        out = {"kind": "date-time", "local": value.replace(tzinfo=None).isoformat(), "tzid": tzid}
        out["utc"] = (
            value.astimezone(timezone.utc).isoformat() if value.tzinfo is not None else None
        )
        if tzid is not None and tzid in zones:
            local = value.replace(tzinfo=None)
            out["utc_from_vtimezone"] = zones[tzid].localize(local).astimezone(timezone.utc).isoformat()
        return out
    if isinstance(value, date):
        return {"kind": "date", "local": value.isoformat(), "tzid": tzid}
    raise ValueError("unexpected value %r" % (value,))


def utc(prop):
    return None if prop is None else prop.dt.astimezone(timezone.utc).isoformat()


def categories(prop):
    if prop is None:
        return []
    props = prop if isinstance(prop, list) else [prop]
    out = []
    for p in props:
        out.extend(str(c) for c in p.cats) if hasattr(p, "cats") else out.extend(p)
    return out


def main():
    cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
    zones = {str(tz["TZID"]): tz.to_tz() for tz in cal.walk("VTIMEZONE")}
    events = []
    for ev in cal.walk("VEVENT"):
        geo = ev.get("GEO")
        summary = ev.get("SUMMARY")
        events.append(
            {
                "uid": text(ev.get("UID")),
                "sequence": ev.decoded("SEQUENCE") if "SEQUENCE" in ev else None,
                "status": text(ev.get("STATUS")),
                "summary": text(summary),
                "summary_language": param(summary, "LANGUAGE"),
                "description": text(ev.get("DESCRIPTION")),
                "location": text(ev.get("LOCATION")),
                "geo": None if geo is None else [geo.latitude, geo.longitude],
                "url": text(ev.get("URL")),
                "categories": categories(ev.get("CATEGORIES")),
                "dtstamp": utc(ev.get("DTSTAMP")),
                "last_modified": utc(ev.get("LAST-MODIFIED")),
                "created": utc(ev.get("CREATED")),
                "dtstart": instant(ev.get("DTSTART"), zones),
                "dtend": instant(ev.get("DTEND"), zones),
            }
        )
    name = cal.get("NAME")
    print(
        json.dumps(
            {
                "prodid": text(cal.get("PRODID")),
                "name": text(name),
                "name_language": param(name, "LANGUAGE"),
                "x_wr_calname": text(cal.get("X-WR-CALNAME")),
                "url": text(cal.get("URL")),
                "refresh_interval": text(cal.get("REFRESH-INTERVAL")),
                "published_ttl": text(cal.get("X-PUBLISHED-TTL")),
                "timezones": sorted(zones.keys()),
                "events": events,
            },
            ensure_ascii=False,
        )
    )


main()
