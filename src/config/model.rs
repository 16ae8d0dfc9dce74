//! The validated configuration: zones resolved, dates checked, references resolved.
//!
//! Everything downstream (problem, solver, writers) reads these types and never the raw TOML.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::template::Template;

/// A whole, valid team configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (used in messages and to resolve relative paths).
    pub path: PathBuf,
    /// Hex SHA-256 of the config file's bytes, recorded in schedule.json.
    pub sha256: String,
    pub team: Team,
    pub period: Period,
    /// Every `[holidays]` set by name (members hold the union of theirs).
    pub holiday_sets: BTreeMap<String, BTreeSet<NaiveDate>>,
    pub layers: Vec<Layer>,
    pub members: Vec<Member>,
    pub rules: Rules,
    pub fairness: Fairness,
    pub objective: ObjectiveWeights,
    pub calendar: CalendarSettings,
    pub pins: Vec<Pin>,
}

impl Config {
    /// A team with no layers and no members over `period`, every other setting at its
    /// default: what a config file with only `[team]` and `[period]` means, as if read from
    /// `rota.toml`. For building configs in code (tests, the benchmark's teams): set the
    /// fields you need.
    pub fn new(team: &str, timezone: Tz, period: Period) -> Config {
        Config {
            path: PathBuf::from("rota.toml"),
            sha256: String::new(),
            team: Team::new(team, timezone),
            period,
            holiday_sets: BTreeMap::new(),
            layers: Vec::new(),
            members: Vec::new(),
            rules: Rules::default(),
            fairness: Fairness::default(),
            objective: ObjectiveWeights::default(),
            calendar: CalendarSettings::default(),
            pins: Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Team {
    pub name: String,
    pub timezone: Tz,
    /// Right-hand side of event UIDs; defaults to a slug of the team name + ".rota".
    pub uid_domain: String,
}

impl Team {
    /// A team with the default `uid_domain`: the slug of its name, then `.rota`.
    pub fn new(name: &str, timezone: Tz) -> Team {
        Team {
            name: name.to_owned(),
            timezone,
            uid_domain: format!("{}.rota", team_slug(name)),
        }
    }
}

/// Lower-case ASCII letters and digits, runs of anything else as one `-`.
pub(crate) fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// A team name as it appears in the default `uid_domain` and in event UIDs: its
/// [`slugify`], or `team` when nothing is left of it.
pub(crate) fn team_slug(name: &str) -> String {
    match slugify(name) {
        slug if slug.is_empty() => "team".to_owned(),
        slug => slug,
    }
}

/// `[start, end)` in local dates; each layer interprets them in its own zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

#[derive(Debug, Clone)]
pub struct Layer {
    pub name: String,
    pub rotation: Rotation,
    pub timezone: Tz,
    /// Only shifts starting on these local days; `None` = every day.
    pub days: Option<WeekdaySet>,
    pub eligible: Eligibility,
    pub per_shift: u32,
}

impl Layer {
    /// A layer of one person per shift on every day, everyone eligible.
    pub fn new(name: &str, rotation: Rotation, timezone: Tz) -> Layer {
        Layer {
            name: name.to_owned(),
            rotation,
            timezone,
            days: None,
            eligible: Eligibility::default(),
            per_shift: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rotation {
    Weekly {
        handoff: WeeklyTime,
    },
    Daily {
        handoff: NaiveTime,
    },
    /// Handoffs at `handoff` ± multiples of `hours` of local wall-clock time.
    Hours {
        hours: u32,
        handoff: NaiveTime,
    },
    /// A weekly pattern of handoff points, sorted by (weekday from Monday, time), unique.
    Handoffs {
        points: Vec<WeeklyTime>,
    },
    /// One shift per covered local day over this window (no tiling).
    Window {
        window: TimeWindow,
    },
}

/// A point in the week: `mon 09:00`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklyTime {
    pub weekday: Weekday,
    pub time: NaiveTime,
}

/// `HH:MM-HH:MM` local window; `end <= start` means it wraps past midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl TimeWindow {
    /// 09:00-17:00: the built-in default of `working_hours`.
    pub const NINE_TO_FIVE: TimeWindow = TimeWindow {
        start: NaiveTime::from_hms_opt(9, 0, 0).expect("09:00 is a time"),
        end: NaiveTime::from_hms_opt(17, 0, 0).expect("17:00 is a time"),
    };

    pub(crate) fn wraps(&self) -> bool {
        self.end <= self.start
    }

    /// Whether a local time of day falls inside the window (start inclusive, end exclusive).
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.wraps() {
            t >= self.start || t < self.end
        } else {
            t >= self.start && t < self.end
        }
    }
}

/// A set of weekdays, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct WeekdaySet(u8);

impl WeekdaySet {
    pub const ALL: WeekdaySet = WeekdaySet(0b111_1111);
    /// Monday to Friday: the built-in default of `working_days`.
    pub const WORKWEEK: WeekdaySet = WeekdaySet(0b001_1111);

    pub fn from_days(days: impl IntoIterator<Item = Weekday>) -> Self {
        let mut set = WeekdaySet(0);
        for d in days {
            set.insert(d);
        }
        set
    }

    pub fn insert(&mut self, day: Weekday) {
        self.0 |= 1 << day.num_days_from_monday();
    }

    pub fn contains(&self, day: Weekday) -> bool {
        self.0 & (1 << day.num_days_from_monday()) != 0
    }

    pub fn is_empty(&self) -> bool {
        self.0 == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = Weekday> + '_ {
        (0..7u8)
            .filter(|i| self.0 & (1 << i) != 0)
            .map(|i| Weekday::try_from(i).expect("0..7 is a weekday"))
    }
}

/// Who may take a layer's shifts.
///
/// With every list empty, everyone is eligible. `members` names people explicitly;
/// tag filters admit by tags; `exclude` always wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Eligibility {
    pub any_tags: Vec<String>,
    pub all_tags: Vec<String>,
    pub members: Vec<String>,
    pub exclude: Vec<String>,
}

impl Eligibility {
    pub fn admits(&self, member: &Member) -> bool {
        if self.exclude.contains(&member.id) {
            return false;
        }
        let filtered = !self.any_tags.is_empty() || !self.all_tags.is_empty();
        let by_tags = (self.any_tags.is_empty()
            || self.any_tags.iter().any(|t| member.tags.contains(t)))
            && self.all_tags.iter().all(|t| member.tags.contains(t));
        if self.members.is_empty() {
            by_tags
        } else {
            self.members.contains(&member.id) || (filtered && by_tags)
        }
    }
}

#[derive(Debug, Clone)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub timezone: Tz,
    pub working_hours: TimeWindow,
    pub working_days: WeekdaySet,
    /// Union of the member's holiday sets, as local dates in the member's zone.
    pub holidays: BTreeSet<NaiveDate>,
    /// Names of the holiday sets, for display.
    pub holiday_sets: Vec<String>,
    pub tags: BTreeSet<String>,
    /// In (0, 1].
    pub fte: f64,
    /// Unavailable before this local date.
    pub joins: Option<NaiveDate>,
    /// Unavailable from this local date on.
    pub leaves: Option<NaiveDate>,
    pub max_shifts: Option<u32>,
    pub unavailable: Vec<DateRule>,
    pub prefer_off: Vec<DateRule>,
}

impl Member {
    /// A full-time member with the built-in defaults (09:00-17:00, Monday to Friday, no
    /// holidays, tags or unavailability): what a `[[member]]` with only `id` and `timezone`
    /// means when `[defaults]` is empty.
    pub fn new(id: &str, timezone: Tz) -> Member {
        Member {
            id: id.to_owned(),
            name: id.to_owned(),
            email: None,
            timezone,
            working_hours: TimeWindow::NINE_TO_FIVE,
            working_days: WeekdaySet::WORKWEEK,
            holidays: BTreeSet::new(),
            holiday_sets: Vec::new(),
            tags: BTreeSet::new(),
            fte: 1.0,
            joins: None,
            leaves: None,
            max_shifts: None,
            unavailable: Vec::new(),
            prefer_off: Vec::new(),
        }
    }

    /// The first unavailability entry covering this local date, if any.
    pub(crate) fn unavailable_on(&self, date: NaiveDate) -> Option<&DateRule> {
        self.unavailable.iter().find(|r| r.covers(date))
    }

    pub(crate) fn prefers_off_on(&self, date: NaiveDate) -> bool {
        self.prefer_off.iter().any(|r| r.covers(date))
    }

    /// Employed on this local date (between `joins` and `leaves`).
    pub(crate) fn employed_on(&self, date: NaiveDate) -> bool {
        self.joins.is_none_or(|j| date >= j) && self.leaves.is_none_or(|l| date < l)
    }
}

/// Whole local days: a range, one date, or weekdays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateRule {
    Range {
        from: NaiveDate,
        /// Inclusive.
        to: NaiveDate,
        reason: Option<String>,
    },
    Date {
        date: NaiveDate,
        reason: Option<String>,
    },
    Weekdays {
        days: WeekdaySet,
        reason: Option<String>,
    },
}

impl DateRule {
    pub fn covers(&self, date: NaiveDate) -> bool {
        match self {
            DateRule::Range { from, to, .. } => *from <= date && date <= *to,
            DateRule::Date { date: d, .. } => *d == date,
            DateRule::Weekdays { days, .. } => days.contains(chrono::Datelike::weekday(&date)),
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            DateRule::Range { reason, .. }
            | DateRule::Date { reason, .. }
            | DateRule::Weekdays { reason, .. } => reason.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rules {
    pub min_rest_hours: f64,
    /// 0 = no limit.
    pub max_consecutive: u32,
    pub back_to_back_gap_hours: f64,
    pub holidays_unavailable: bool,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_rest_hours: 0.0,
            max_consecutive: 0,
            back_to_back_gap_hours: 12.0,
            holidays_unavailable: false,
        }
    }
}

impl Rules {
    /// The defaults but runs of at most `n` shifts in a row.
    pub fn runs_of(n: u32) -> Rules {
        Rules {
            max_consecutive: n,
            ..Rules::default()
        }
    }

    /// The defaults but at least `hours` of rest between shifts.
    pub fn rest_of(hours: f64) -> Rules {
        Rules {
            min_rest_hours: hours,
            ..Rules::default()
        }
    }
}

/// Points per hour of each class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClassWeights {
    pub business: f64,
    pub after_hours: f64,
    pub weekend: f64,
    pub holiday: f64,
}

impl Default for ClassWeights {
    fn default() -> Self {
        ClassWeights {
            business: 1.0,
            after_hours: 2.0,
            weekend: 2.0,
            holiday: 3.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapacityMode {
    /// Hard unavailability lowers a member's share.
    #[default]
    Availability,
    /// Only fte, joins and leaves do.
    Fte,
}

#[derive(Debug, Clone)]
pub struct Fairness {
    pub weights: ClassWeights,
    pub capacity: CapacityMode,
    /// Resolved paths of earlier schedule.json files, as listed.
    pub history: Vec<PathBuf>,
    /// How far back history counts: a file whose period ended this many months or more
    /// before the period starts is ignored; 0 counts every file (docs/config.md,
    /// `[fairness]`).
    pub history_months: u32,
    /// The listed files that `history_months` leaves out, resolved.
    pub history_ignored: Vec<PathBuf>,
    /// Points per member id from the history files plus `[[fairness.adjust]]`.
    /// Ids of people no longer in the team are kept here but ignored by fairness.
    pub history_points: BTreeMap<String, f64>,
    /// Every seat of the history files that count: the problem keeps those its rules
    /// reach from before the period.
    pub earlier: Vec<EarlierSeat>,
}

impl Default for Fairness {
    fn default() -> Self {
        Fairness {
            weights: ClassWeights::default(),
            capacity: CapacityMode::default(),
            history: Vec::new(),
            history_months: DEFAULT_HISTORY_MONTHS,
            history_ignored: Vec::new(),
            history_points: BTreeMap::new(),
            earlier: Vec::new(),
        }
    }
}

/// A rolling year: every season and holiday once (docs/config.md says why).
pub const DEFAULT_HISTORY_MONTHS: u32 = 12;

/// One seat of an earlier schedule — a `fairness.history` file, or the previous schedule
/// of a re-solve — as the file records it. Shifts before the period count for its first
/// shifts' rules and back-to-back pairs (docs/objective.md, "Across the period's start").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierSeat {
    pub layer: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The member's id.
    pub member: String,
    /// The file, as the config or the command line names it.
    pub source: String,
}

/// Weights of the minimized sum (docs/objective.md, "Objective terms").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectiveWeights {
    pub imbalance: f64,
    pub deviation: f64,
    pub back_to_back_after_hours: f64,
    pub total_load: f64,
    pub prefer_off: f64,
    pub churn: f64,
}

impl ObjectiveWeights {
    /// Whether no term besides fairness is weighted below 0: then a schedule scores at
    /// least its fairness terms plus the cheapest seat of every shift, which the
    /// solver's fairness budget and Lagrangian bound rely on.
    pub(crate) fn others_nonnegative(&self) -> bool {
        [
            self.back_to_back_after_hours,
            self.total_load,
            self.prefer_off,
            self.churn,
        ]
        .iter()
        .all(|&v| v >= 0.0)
    }

    /// The imbalance's weight alone, and every other weight with the imbalance's at 0:
    /// two objectives that add up to this one, for bounding each on its own.
    pub(crate) fn imbalance_apart(self) -> (ObjectiveWeights, ObjectiveWeights) {
        let imbalance = ObjectiveWeights {
            imbalance: self.imbalance,
            deviation: 0.0,
            back_to_back_after_hours: 0.0,
            total_load: 0.0,
            prefer_off: 0.0,
            churn: 0.0,
        };
        let rest = ObjectiveWeights {
            imbalance: 0.0,
            ..self
        };
        (imbalance, rest)
    }
}

impl Default for ObjectiveWeights {
    fn default() -> Self {
        ObjectiveWeights {
            imbalance: 1000.0,
            deviation: 100.0,
            back_to_back_after_hours: 50.0,
            total_load: 1.0,
            prefer_off: 20.0,
            // A move the edit does not force must buy 5 points/FTE of imbalance (at its
            // default weight): stability first, with the frontier showing what more
            // moves would buy (docs/objective.md, "Re-solving").
            churn: 5000.0,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CalendarSettings {
    /// 0 = no alarm.
    pub alarm_minutes: u32,
    pub url: Option<String>,
    /// Each event's SUMMARY; `None` = `On call: LAYER — NAME`.
    pub summary: Option<Template>,
    /// Each event's DESCRIPTION; `None` = who, the handoff times and the neighbours.
    pub description: Option<Template>,
}

/// A fixed assignment; matched to a shift when the problem is built.
#[derive(Debug, Clone)]
pub struct Pin {
    /// Index into `Config::layers`.
    pub layer: usize,
    pub start: PinStart,
    /// Index into `Config::members`.
    pub member: usize,
    /// 1-based line and column of the pin's `start` in the config, for messages.
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PinStart {
    /// Local start date of the shift in the layer's zone.
    LocalDate(NaiveDate),
    Instant(DateTime<Utc>),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Apart, the imbalance and the rest weigh every term exactly once.
    #[test]
    fn the_imbalance_apart_and_the_rest_add_up_to_the_weights() {
        let w = ObjectiveWeights {
            imbalance: 1000.0,
            deviation: 100.0,
            back_to_back_after_hours: 50.0,
            total_load: 2.0,
            prefer_off: 20.0,
            churn: 5000.0,
        };
        let (a, b) = w.imbalance_apart();
        let sum = |f: fn(&ObjectiveWeights) -> f64| f(&a) + f(&b);
        assert_eq!(a.imbalance, w.imbalance);
        assert_eq!(b.imbalance, 0.0);
        assert_eq!(sum(|x| x.imbalance), w.imbalance);
        assert_eq!(sum(|x| x.deviation), w.deviation);
        assert_eq!(
            sum(|x| x.back_to_back_after_hours),
            w.back_to_back_after_hours
        );
        assert_eq!(sum(|x| x.total_load), w.total_load);
        assert_eq!(sum(|x| x.prefer_off), w.prefer_off);
        assert_eq!(sum(|x| x.churn), w.churn);
    }

    /// Slugs keep ASCII letters and digits and fold the rest; a team slug is never empty.
    #[test]
    fn slugs_keep_ascii_letters_and_digits() {
        for (name, slug, team) in [
            ("Payments SRE", "payments-sre", "payments-sre"),
            ("  Ops / On-Call!! ", "ops-on-call", "ops-on-call"),
            (
                "  Ops / Night-Crew 2 ",
                "ops-night-crew-2",
                "ops-night-crew-2",
            ),
            ("Über", "ber", "ber"),
            ("Équipe Zürich", "quipe-z-rich", "quipe-z-rich"),
            ("---", "", "team"),
            ("!!!", "", "team"),
        ] {
            assert_eq!(slugify(name), slug, "{name:?}");
            assert_eq!(team_slug(name), team, "{name:?}");
        }
    }

    #[test]
    fn a_new_config_has_the_defaults_of_a_minimal_file() {
        let period = Period {
            start: NaiveDate::from_ymd_opt(2027, 1, 4).expect("date"),
            end: NaiveDate::from_ymd_opt(2027, 2, 1).expect("date"),
        };
        let c = Config::new("Payments SRE", chrono_tz::UTC, period);
        assert_eq!(c.team.uid_domain, "payments-sre.rota");
        assert_eq!(c.rules, Rules::default());
        assert_eq!(c.objective, ObjectiveWeights::default());
        assert!(c.layers.is_empty() && c.members.is_empty() && c.pins.is_empty());
    }
}
