#!/usr/bin/env python3
"""Validate rota's iCalendar feeds with an independent parser (Python's `icalendar`).

    python3 tests/ical_check.py DIR...   check every .ics under each DIR
    python3 tests/ical_check.py          build rota, then check the feeds of
                                         (1) the Rust tests' feeds (`ROTA_FEEDS_OUT`:
                                             tests/it/calendar.rs, tests/it/paging.rs) and
                                         (2) `rota solve` on every configs/*.toml

Each feed must parse, carry the calendar properties rota writes
(src/output/calendar.rs), and have VEVENTs with UID, DTSTAMP, DTSTART/DTEND in UTC,
SEQUENCE, SUMMARY and TRANSP, with no duplicate UID, and at most one ATTENDEE (a mailto:
address with a CN); lines end in CRLF and fold within 75 octets. A directory holding
team.ics is also checked for consistency: the layer feeds together are exactly team.ics,
and every confirmed event of a member feed is in team.ics with the same times.

Prints one line per failure and a closing `N passed, M failed`; exits 1 on any failure.
"""

import os
import re
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

try:
    import icalendar
except ImportError:
    sys.exit("ical_check: Python's icalendar package is missing (run `make deps`)")

ROOT = Path(__file__).resolve().parent.parent

CALENDAR_PROPERTIES = {
    "VERSION": "2.0",
    "PRODID": None,
    "CALSCALE": "GREGORIAN",
    "METHOD": "PUBLISH",
    "X-WR-CALNAME": None,
    "X-WR-TIMEZONE": None,
    "REFRESH-INTERVAL": None,
    "X-PUBLISHED-TTL": "PT1H",
}
EVENT_PROPERTIES = ["UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "TRANSP"]
UTC_PROPERTIES = ["DTSTAMP", "DTSTART", "DTEND"]


class Failure(Exception):
    pass


def check_bytes(raw):
    """Line structure of RFC 5545 §3.1, checked on the bytes before any parser sees them."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Failure(f"not UTF-8: {e}")
    if not raw.endswith(b"\r\n"):
        raise Failure("does not end in CRLF")
    lines = raw[:-2].split(b"\r\n")
    for number, line in enumerate(lines, 1):
        if b"\n" in line or b"\r" in line:
            raise Failure(f"line {number}: bare LF or CR")
        if len(line) > 75:
            raise Failure(f"line {number}: {len(line)} octets (max 75)")
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure(f"line {number}: folding split a UTF-8 character")


def utc_instant(event, name):
    prop = event[name]
    if prop.params.get("TZID"):
        raise Failure(f"{name} has a TZID; rota writes UTC")
    if not prop.to_ical().endswith(b"Z"):
        raise Failure(f"{name} {prop.to_ical()!r} is not in UTC")
    value = prop.dt
    if getattr(value, "utcoffset", lambda: None)() != timedelta(0):
        raise Failure(f"{name} {value!r} is not a UTC date-time")
    return value


def check_feed(path):
    """Returns {uid: (start, end, status, summary)} of the feed's events."""
    raw = path.read_bytes()
    check_bytes(raw)
    try:
        calendar = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # the parser's own error types vary across versions
        raise Failure(f"does not parse: {e}")
    for component in calendar.walk():
        errors = getattr(component, "errors", [])
        if errors:
            raise Failure(f"{component.name}: parse errors {errors}")
    if calendar.name != "VCALENDAR":
        raise Failure(f"top-level component is {calendar.name}")
    for name, expected in CALENDAR_PROPERTIES.items():
        if name not in calendar:
            raise Failure(f"calendar property {name} missing")
        value = calendar[name]
        if expected is not None and str(value) != expected:
            raise Failure(f"{name} is {value!r}, expected {expected!r}")
    refresh = calendar["REFRESH-INTERVAL"]
    if refresh.params.get("VALUE") != "DURATION" or refresh.to_ical() != b"PT1H":
        raise Failure("REFRESH-INTERVAL must be ;VALUE=DURATION:PT1H")

    events = {}
    for event in calendar.walk("VEVENT"):
        for name in EVENT_PROPERTIES:
            if name not in event:
                raise Failure(f"event {event.get('UID', '?')}: {name} missing")
        uid = str(event["UID"])
        if uid in events:
            raise Failure(f"duplicate UID {uid}")
        start, end = (utc_instant(event, n) for n in ("DTSTART", "DTEND"))
        utc_instant(event, "DTSTAMP")
        if not start < end:
            raise Failure(f"event {uid}: DTEND is not after DTSTART")
        if int(event["SEQUENCE"]) < 0:
            raise Failure(f"event {uid}: negative SEQUENCE")
        if str(event["TRANSP"]) != "TRANSPARENT":
            raise Failure(f"event {uid}: TRANSP is {event['TRANSP']}")
        status = str(event.get("STATUS", "CONFIRMED"))
        summary = str(event["SUMMARY"])
        check_attendee(uid, event)
        for alarm in event.walk("VALARM"):
            for name in ("ACTION", "TRIGGER", "DESCRIPTION"):
                if name not in alarm:
                    raise Failure(f"event {uid}: VALARM without {name}")
        events[uid] = (start, end, status, summary)
    return events


def check_attendee(uid, event):
    """rota names the holder as the one ATTENDEE, `;CN=NAME:mailto:ADDRESS`, if at all."""
    if "ATTENDEE" not in event:
        return
    attendee = event["ATTENDEE"]
    if isinstance(attendee, list):
        raise Failure(f"event {uid}: {len(attendee)} ATTENDEEs, expected one")
    if not str(attendee).startswith("mailto:") or "@" not in str(attendee):
        raise Failure(f"event {uid}: ATTENDEE {str(attendee)!r} is not a mailto: address")
    if not attendee.params.get("CN"):
        raise Failure(f"event {uid}: ATTENDEE without a CN")


def layer_of(uid):
    """The layer of a rota UID: `LAYER-20270104T150000Z[-SEAT].TEAM@DOMAIN`."""
    match = re.match(r"^(.+?)-\d{8}T\d{6}Z(?:-\d+)?\.", uid)
    return match.group(1) if match else None


def check_consistency(directory, feeds):
    """The layer feeds partition team.ics; member feeds' confirmed events are in it."""
    team = feeds.pop("team")
    layers = {}
    for name, events in feeds.items():
        confirmed = {u: e for u, e in events.items() if e[2] == "CONFIRMED"}
        for uid, event in confirmed.items():
            if team.get(uid) != event:
                raise Failure(f"{name}.ics: event {uid} differs from team.ics")
        # A layer feed: every event's UID names its layer (the SUMMARY may be a template).
        if confirmed and all(layer_of(uid) == name for uid in confirmed):
            layers.update(confirmed)
    if layers and set(layers) != set(team):
        raise Failure(f"{directory}: layer feeds do not add up to team.ics")


def check_directory(directory):
    passed, failed = 0, 0
    for dirpath, _, filenames in sorted(os.walk(directory)):
        feeds = {}
        for filename in sorted(f for f in filenames if f.endswith(".ics")):
            path = Path(dirpath) / filename
            try:
                feeds[path.stem] = check_feed(path)
                passed += 1
            except Failure as e:
                print(f"FAIL {path}: {e}")
                failed += 1
        if "team" in feeds:
            try:
                check_consistency(dirpath, feeds)
                passed += 1
            except Failure as e:
                print(f"FAIL {dirpath}: {e}")
                failed += 1
    return passed, failed


def run(command, env=None):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAIL {' '.join(map(str, command))} exited {result.returncode}")
        print(result.stderr.strip())
    return result.returncode == 0


def generate_and_check():
    cargo = os.environ.get("CARGO", "cargo")
    passed, failed = 0, 0
    with tempfile.TemporaryDirectory(prefix="rota-ical-") as tmp:
        fixtures = Path(tmp) / "fixtures"
        env = dict(os.environ, ROTA_FEEDS_OUT=str(fixtures))
        tests = ["--test", "it", "--", "calendar::", "paging::"]
        if run([cargo, "test", "--quiet", *tests], env=env):
            p, f = check_directory(fixtures)
            passed, failed = passed + p, failed + f
        else:
            failed += 1
        if not run([cargo, "build", "--quiet"]):
            return passed, failed + 1
        target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
        binary = (ROOT / target) / "debug" / "rota"
        env = dict(os.environ, SOURCE_DATE_EPOCH="1798761600")
        for config in sorted((ROOT / "configs").glob("*.toml")):
            out = Path(tmp) / "solve" / config.stem
            command = [binary, "solve", config, "-o", out, "--time-limit", "2", "--quiet"]
            if run(command, env=env):
                p, f = check_directory(out)
                if p == 0:
                    print(f"FAIL {config.name}: no .ics written under {out}")
                    f += 1
                passed, failed = passed + p, failed + f
            else:
                failed += 1
    return passed, failed


def main(argv):
    if argv:
        passed, failed = 0, 0
        for directory in argv:
            if not Path(directory).is_dir():
                print(f"FAIL {directory}: not a directory")
                failed += 1
                continue
            p, f = check_directory(directory)
            passed, failed = passed + p, failed + f
    else:
        passed, failed = generate_and_check()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
