//! Realistic synthetic teams, built as [`Config`] values, for the benchmark and tests.
//!
//! Everything is deterministic from [`Spec::seed`]: members spread over time zones,
//! part-timers, senior and regional tags, a week or two of PTO drawn at random, odd days
//! off, national holidays, people joining and leaving during the period. The named cases
//! are the instances of the benchmark (docs/performance.md); [`scaling_series`] grows from 5 to 300 members and from
//! one month to a year; [`tiny_series`] covers teams of up to 5 over a month.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::PathBuf;

use chrono::{Datelike, Days, Months, NaiveDate, NaiveTime, Weekday};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};

use crate::config::{
    Config, DateRule, Eligibility, Layer, Member, Period, Rotation, Rules, TimeWindow, WeekdaySet,
    WeeklyTime,
};

/// The zones members are spread over, in this order (`Spec::zones` takes a prefix).
pub const ZONES: [Tz; 4] = [
    chrono_tz::America::New_York,
    chrono_tz::Europe::Berlin,
    chrono_tz::Asia::Singapore,
    chrono_tz::Australia::Sydney,
];

/// Names of the benchmark's cases, in the order they were added (each one's seed
/// follows from its place, so a new case goes last).
pub const NAMED: [&str; 6] = ["small", "team12", "team40", "fts150", "fts24", "fts500"];

/// Periods start on this Monday, so weekly handoffs line up with the period.
const PERIOD_START: (i32, u32, u32) = (2027, 1, 4);

/// What kind of layer to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    /// Monday 10:00 to Monday 10:00 in the team's zone.
    Weekly,
    /// 10:00 to 10:00 in the team's zone.
    Daily,
    /// `{ hours = 12 }`, handing off at 08:00 and 20:00 in the team's zone.
    TwelveHour,
    /// One 08:00–16:00 weekday window per region present, each region's people only.
    FollowTheSun,
    /// A split week: Monday 09:00 to Thursday 09:00 to Monday 09:00 in the team's zone.
    Handoffs,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerSpec {
    pub name: String,
    pub kind: LayerKind,
    /// Only members with this tag (`senior`) are eligible.
    pub tag: Option<String>,
}

impl LayerSpec {
    pub fn new(name: &str, kind: LayerKind) -> Self {
        LayerSpec {
            name: name.to_string(),
            kind,
            tag: None,
        }
    }

    pub fn tagged(name: &str, kind: LayerKind, tag: &str) -> Self {
        LayerSpec {
            tag: Some(tag.to_string()),
            ..LayerSpec::new(name, kind)
        }
    }
}

/// How to generate one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    pub name: String,
    pub seed: u64,
    /// 5..=300 is what the generator is meant for; at least 1.
    pub members: usize,
    /// Length of the period in calendar months from 2027-01-04, at least 1.
    pub months: u32,
    /// How many of [`ZONES`] members are spread over (1..=4).
    pub zones: usize,
    pub layers: Vec<LayerSpec>,
    /// Chance, per member and month, of a week of PTO.
    pub pto_per_month: f64,
    /// Share of members working half time (fte 0.5).
    pub part_time: f64,
    /// Share of members tagged `senior` (at least two are, when there are two members).
    pub senior: f64,
    /// Members get their zone's national holidays.
    pub holidays: bool,
    /// With ≥ 20 members, one joins a month in and one leaves a month before the end.
    pub turnover: bool,
    pub rules: Rules,
}

impl Spec {
    /// The benchmark's instance of that name, if it is one.
    pub fn named(name: &str) -> Option<Spec> {
        let base = Spec {
            name: name.to_string(),
            seed: 0x5eed_0000 + NAMED.iter().position(|&n| n == name)? as u64,
            members: 5,
            months: 1,
            zones: 1,
            layers: vec![LayerSpec::new("primary", LayerKind::Daily)],
            pto_per_month: 0.25,
            part_time: 0.0,
            senior: 0.5,
            holidays: true,
            turnover: false,
            rules: Rules::default(),
        };
        let spec = match name {
            // Up to 5 people over a month: proven optimal within 1 s.
            "small" => Spec {
                rules: Rules {
                    max_consecutive: 2,
                    ..Rules::default()
                },
                ..base
            },
            // 12 people, 2 weekly layers, a quarter: proven optimal in 1 s.
            "team12" => Spec {
                members: 12,
                months: 3,
                zones: 2,
                layers: vec![
                    LayerSpec::new("primary", LayerKind::Weekly),
                    LayerSpec::new("secondary", LayerKind::Weekly),
                ],
                part_time: 0.1,
                rules: Rules {
                    max_consecutive: 1,
                    ..Rules::default()
                },
                ..base
            },
            // 40 people, daily shifts, 2 layers, 4 zones, PTO: within 1 % in 10 s.
            "team40" => Spec {
                members: 40,
                months: 3,
                zones: 4,
                layers: vec![
                    LayerSpec::new("primary", LayerKind::Daily),
                    LayerSpec::tagged("secondary", LayerKind::Daily, "senior"),
                ],
                pto_per_month: 0.35,
                part_time: 0.1,
                turnover: true,
                rules: Rules {
                    max_consecutive: 2,
                    ..Rules::default()
                },
                ..base
            },
            // 150 people, 12-hour follow-the-sun shifts, 6 months: within 2 % in 60 s.
            "fts150" => Spec::follow_the_sun(150, 6, base),
            // 24 people, 12-hour follow-the-sun shifts, a quarter.
            "fts24" => Spec::follow_the_sun(24, 3, base),
            // 500 people, 12-hour follow-the-sun shifts, a year.
            "fts500" => Spec::follow_the_sun(500, 12, base),
            _ => return None,
        };
        Some(spec)
    }

    /// `members` people over 4 zones on 12-hour follow-the-sun shifts for `months`, with
    /// PTO, part-timers, joiners and leavers, and 12 hours of rest: the shape of the
    /// bench's `fts` cases, which differ only in size.
    fn follow_the_sun(members: usize, months: u32, base: Spec) -> Spec {
        Spec {
            members,
            months,
            zones: 4,
            layers: vec![LayerSpec::new("sun", LayerKind::TwelveHour)],
            pto_per_month: 0.3,
            part_time: 0.1,
            turnover: true,
            rules: Rules {
                min_rest_hours: 12.0,
                ..Rules::default()
            },
            ..base
        }
    }

    /// One point of the scaling series: a daily primary for everyone and a weekly
    /// secondary for seniors, people over up to 4 zones, PTO and part-timers.
    pub fn scaling(members: usize, months: u32) -> Spec {
        Spec {
            name: format!("scale-{members}x{months}"),
            seed: 0x5ca1_0000 + (members as u64) * 100 + u64::from(months),
            members,
            months,
            zones: members.div_ceil(10).clamp(1, 4),
            layers: vec![
                LayerSpec::new("primary", LayerKind::Daily),
                LayerSpec::tagged("secondary", LayerKind::Weekly, "senior"),
            ],
            pto_per_month: 0.25,
            part_time: 0.1,
            senior: 0.5,
            holidays: true,
            turnover: true,
            rules: Rules {
                max_consecutive: 3,
                ..Rules::default()
            },
        }
    }
}

/// (members, months) of the scaling series: 5..300 members × 1..12 months.
pub fn scaling_series() -> Vec<Spec> {
    [
        (5, 1),
        (10, 1),
        (20, 3),
        (40, 3),
        (80, 6),
        (150, 6),
        (300, 12),
    ]
    .into_iter()
    .map(|(members, months)| Spec::scaling(members, months))
    .collect()
}

/// Teams of 3 to 5 people over one month, the benchmark's class "proven optimal within
/// 1 s", in the shapes small teams run: a daily rotation, a weekly primary with a daily
/// secondary, 12-hour shifts with a rest rule, and a daily rotation over two zones;
/// three seeds each, so one lucky instance does not stand for the class.
pub fn tiny_series() -> Vec<Spec> {
    let shapes: [(&str, Vec<LayerSpec>, usize, Rules); 4] = [
        (
            "daily",
            vec![LayerSpec::new("primary", LayerKind::Daily)],
            1,
            Rules {
                max_consecutive: 2,
                ..Rules::default()
            },
        ),
        (
            "weekly",
            vec![
                LayerSpec::new("primary", LayerKind::Weekly),
                LayerSpec::new("secondary", LayerKind::Daily),
            ],
            1,
            Rules::default(),
        ),
        (
            "12h",
            vec![LayerSpec::new("primary", LayerKind::TwelveHour)],
            1,
            Rules {
                min_rest_hours: 12.0,
                ..Rules::default()
            },
        ),
        (
            "2zones",
            vec![LayerSpec::new("primary", LayerKind::Daily)],
            2,
            Rules {
                max_consecutive: 3,
                ..Rules::default()
            },
        ),
    ];
    let mut series = Vec::new();
    for members in [3, 4, 5] {
        for (k, (shape, layers, zones, rules)) in shapes.iter().enumerate() {
            for seed in 0..3u64 {
                series.push(Spec {
                    name: format!("tiny-{members}-{shape}-{seed}"),
                    seed: 0x7171_0000 + (k as u64) * 1000 + (members as u64) * 100 + seed,
                    members,
                    months: 1,
                    zones: *zones,
                    layers: layers.clone(),
                    pto_per_month: 0.3,
                    part_time: 0.15,
                    senior: 0.5,
                    holidays: true,
                    turnover: false,
                    rules: *rules,
                });
            }
        }
    }
    series
}

/// Builds the team described by `spec`. Same spec, same config.
pub fn generate(spec: &Spec) -> Config {
    let mut rng = XorShift::new(spec.seed);
    let start = date(PERIOD_START.0, PERIOD_START.1, PERIOD_START.2);
    let end = start
        .checked_add_months(Months::new(spec.months.max(1)))
        .unwrap_or(start + Days::new(30));
    let period = Period { start, end };
    let zones = &ZONES[..spec.zones.clamp(1, ZONES.len())];
    let team_zone = zones[0];

    let members = members(spec, zones, period, &mut rng);
    let regions: BTreeSet<&str> = zones.iter().map(|&z| region(z)).collect();
    let layers = spec
        .layers
        .iter()
        .flat_map(|l| layers(l, team_zone, &regions))
        .collect();

    let mut digest = Sha256::new();
    digest.update(format!("{spec:?}").as_bytes());
    let sha256 = digest.finalize().iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });

    let mut config = Config::new(&format!("Bench {}", spec.name), team_zone, period);
    config.path = PathBuf::from(format!("generated/{}.toml", spec.name));
    config.sha256 = sha256;
    config.team.uid_domain = format!("{}.bench.rota", spec.name);
    Config {
        layers,
        members,
        rules: spec.rules,
        ..config
    }
}

fn layers(spec: &LayerSpec, team_zone: Tz, regions: &BTreeSet<&str>) -> Vec<Layer> {
    let ten = time(10, 0);
    let eligible = Eligibility {
        any_tags: spec.tag.iter().cloned().collect(),
        ..Eligibility::default()
    };
    let layer = |name: String, rotation, timezone, days| Layer {
        name,
        rotation,
        timezone,
        days,
        eligible: eligible.clone(),
        per_shift: 1,
    };
    match spec.kind {
        LayerKind::Weekly => vec![layer(
            spec.name.clone(),
            Rotation::Weekly {
                handoff: WeeklyTime {
                    weekday: Weekday::Mon,
                    time: ten,
                },
            },
            team_zone,
            None,
        )],
        LayerKind::Daily => vec![layer(
            spec.name.clone(),
            Rotation::Daily { handoff: ten },
            team_zone,
            None,
        )],
        LayerKind::TwelveHour => vec![layer(
            spec.name.clone(),
            Rotation::Hours {
                hours: 12,
                handoff: time(8, 0),
            },
            team_zone,
            None,
        )],
        LayerKind::Handoffs => vec![layer(
            spec.name.clone(),
            Rotation::Handoffs {
                points: [Weekday::Mon, Weekday::Thu]
                    .map(|weekday| WeeklyTime {
                        weekday,
                        time: time(9, 0),
                    })
                    .to_vec(),
            },
            team_zone,
            None,
        )],
        LayerKind::FollowTheSun => regions
            .iter()
            .map(|&r| {
                let mut l = layer(
                    format!("{}-{r}", spec.name),
                    Rotation::Window {
                        window: TimeWindow {
                            start: time(8, 0),
                            end: time(16, 0),
                        },
                    },
                    region_zone(r),
                    Some(WeekdaySet::WORKWEEK),
                );
                l.eligible.any_tags.push(r.to_string());
                l
            })
            .collect(),
    }
}

fn members(spec: &Spec, zones: &[Tz], period: Period, rng: &mut XorShift) -> Vec<Member> {
    let n = spec.members.max(1);
    let days = (period.end - period.start).num_days().max(1) as u64;
    (0..n)
        .map(|i| {
            let zone = zones[i % zones.len()];
            let mut tags = BTreeSet::from([region(zone).to_string()]);
            // The first two are senior so that a senior-only layer always has a pair.
            if i < 2 || rng.chance(spec.senior) {
                tags.insert("senior".to_string());
            }
            let fte = if i >= 2 && rng.chance(spec.part_time) {
                0.5
            } else {
                1.0
            };

            let mut unavailable = Vec::new();
            for _ in 0..spec.months {
                if rng.chance(spec.pto_per_month) {
                    // A week off, Saturday to the Sunday after next: how PTO is booked.
                    let from = period.start + Days::new(rng.below(days));
                    let saturday = from
                        + Days::new(u64::from(
                            (Weekday::Sat.num_days_from_monday() + 7
                                - from.weekday().num_days_from_monday())
                                % 7,
                        ));
                    unavailable.push(DateRule::Range {
                        from: saturday,
                        to: saturday + Days::new(8),
                        reason: Some("PTO".to_string()),
                    });
                }
                if rng.chance(0.3) {
                    unavailable.push(DateRule::Date {
                        date: period.start + Days::new(rng.below(days)),
                        reason: None,
                    });
                }
            }
            let mut prefer_off = Vec::new();
            if rng.chance(0.2) {
                prefer_off.push(DateRule::Weekdays {
                    days: WeekdaySet::from_days([Weekday::Sun]),
                    reason: Some("family day".to_string()),
                });
            }

            let (holiday_sets, holidays) = if spec.holidays {
                let name = region_holidays(zone);
                (vec![name.0.to_string()], name.1)
            } else {
                (Vec::new(), BTreeSet::new())
            };

            let turnover = spec.turnover && n >= 20 && spec.months >= 2;
            let month = |k: u32| period.start.checked_add_months(Months::new(k));
            let joins = (turnover && i == n - 1).then(|| month(1)).flatten();
            let leaves = (turnover && i == n - 2)
                .then(|| month(spec.months - 1))
                .flatten();

            Member {
                id: format!("m{:03}", i + 1),
                name: format!("Member {}", i + 1),
                email: Some(format!("m{:03}@{}.example", i + 1, spec.name)),
                timezone: zone,
                working_hours: TimeWindow {
                    start: time(9, 0),
                    end: time(17, 0),
                },
                working_days: WeekdaySet::WORKWEEK,
                holidays,
                holiday_sets,
                tags,
                fte,
                joins,
                leaves,
                max_shifts: None,
                unavailable,
                prefer_off,
            }
        })
        .collect()
}

/// The region tag of a zone.
fn region(zone: Tz) -> &'static str {
    match zone {
        chrono_tz::America::New_York => "amer",
        chrono_tz::Europe::Berlin => "emea",
        _ => "apac",
    }
}

fn region_zone(region: &str) -> Tz {
    match region {
        "amer" => chrono_tz::America::New_York,
        "emea" => chrono_tz::Europe::Berlin,
        _ => chrono_tz::Asia::Singapore,
    }
}

/// The holiday set of a zone's country, 2027 and New Year 2028 (observed days).
fn region_holidays(zone: Tz) -> (&'static str, BTreeSet<NaiveDate>) {
    let (name, days): (&str, &[(i32, u32, u32)]) = match zone {
        chrono_tz::America::New_York => (
            "us",
            &[
                (2027, 1, 1),
                (2027, 1, 18),
                (2027, 2, 15),
                (2027, 5, 31),
                (2027, 6, 18),
                (2027, 7, 5),
                (2027, 9, 6),
                (2027, 11, 25),
                (2027, 12, 24),
                (2027, 12, 31),
            ],
        ),
        chrono_tz::Europe::Berlin => (
            "de",
            &[
                (2027, 1, 1),
                (2027, 3, 26),
                (2027, 3, 29),
                (2027, 5, 1),
                (2027, 5, 6),
                (2027, 5, 17),
                (2027, 10, 3),
                (2027, 12, 25),
                (2027, 12, 26),
                (2028, 1, 1),
            ],
        ),
        chrono_tz::Asia::Singapore => (
            "sg",
            &[
                (2027, 1, 1),
                (2027, 2, 6),
                (2027, 2, 8),
                (2027, 3, 26),
                (2027, 5, 1),
                (2027, 8, 9),
                (2027, 12, 25),
                (2028, 1, 1),
            ],
        ),
        _ => (
            "au",
            &[
                (2027, 1, 1),
                (2027, 1, 26),
                (2027, 3, 26),
                (2027, 3, 29),
                (2027, 4, 26),
                (2027, 6, 14),
                (2027, 10, 4),
                (2027, 12, 27),
                (2027, 12, 28),
                (2028, 1, 3),
            ],
        ),
    };
    (name, days.iter().map(|&(y, m, d)| date(y, m, d)).collect())
}

/// A date from the constant tables above; every one of them is a real date.
fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn time(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// xorshift64*: small, fast, and the same on every platform (no dependency needed).
#[derive(Debug, Clone)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves; splitmix the seed away from it.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        XorShift((z ^ (z >> 31)).max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in [0, n); 0 when n is 0.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Config {
        generate(&Spec::named(name).expect("a named bench case"))
    }

    #[test]
    fn same_spec_same_config() {
        for name in NAMED {
            let spec = Spec::named(name).expect("named");
            assert_eq!(
                format!("{:?}", generate(&spec)),
                format!("{:?}", generate(&spec))
            );
        }
    }

    #[test]
    fn another_seed_another_team() {
        let spec = Spec::named("team40").expect("named");
        let other = Spec {
            seed: spec.seed + 1,
            ..spec.clone()
        };
        let (a, b) = (generate(&spec), generate(&other));
        assert_ne!(format!("{:?}", a.members), format!("{:?}", b.members));
        assert_ne!(a.sha256, b.sha256);
    }

    #[test]
    fn named_cases_have_the_spec_shapes() {
        let small = named("small");
        assert!(small.members.len() <= 5);
        assert_eq!(small.period.end, date(2027, 2, 4));

        let team12 = named("team12");
        assert_eq!(team12.members.len(), 12);
        assert_eq!(team12.layers.len(), 2);
        assert!(
            team12
                .layers
                .iter()
                .all(|l| matches!(l.rotation, Rotation::Weekly { .. }))
        );
        assert_eq!(team12.period.end, date(2027, 4, 4));

        let team40 = named("team40");
        assert_eq!(team40.members.len(), 40);
        assert_eq!(team40.layers.len(), 2);
        assert!(
            team40
                .layers
                .iter()
                .all(|l| matches!(l.rotation, Rotation::Daily { .. }))
        );
        let zones: BTreeSet<&str> = team40.members.iter().map(|m| m.timezone.name()).collect();
        assert_eq!(zones.len(), 4);
        let pto = team40
            .members
            .iter()
            .filter(|m| {
                m.unavailable
                    .iter()
                    .any(|r| matches!(r, DateRule::Range { .. }))
            })
            .count();
        assert!(pto >= 5, "only {pto} of 40 have a week of PTO");

        let fts = named("fts150");
        assert_eq!(fts.members.len(), 150);
        assert_eq!(fts.period.end, date(2027, 7, 4));
        assert!(matches!(
            fts.layers[..],
            [Layer {
                rotation: Rotation::Hours { hours: 12, .. },
                ..
            }]
        ));
        assert!(fts.members.iter().any(|m| m.fte == 0.5));
        assert!(fts.members.iter().any(|m| m.joins.is_some()));
        assert!(fts.members.iter().any(|m| m.leaves.is_some()));
        assert_eq!(Spec::named("team13"), None);
    }

    #[test]
    fn members_are_valid() {
        let mut specs: Vec<Spec> = NAMED.iter().filter_map(|n| Spec::named(n)).collect();
        specs.extend(scaling_series());
        specs.extend(tiny_series());
        for spec in specs {
            let config = generate(&spec);
            assert_eq!(config.members.len(), spec.members, "{}", spec.name);
            let ids: BTreeSet<&str> = config.members.iter().map(|m| m.id.as_str()).collect();
            assert_eq!(ids.len(), spec.members, "unique ids in {}", spec.name);
            for m in &config.members {
                assert!(
                    m.id.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "slug {}",
                    m.id
                );
                assert!(m.fte > 0.0 && m.fte <= 1.0);
                assert!(!m.holidays.is_empty());
                for rule in &m.unavailable {
                    if let DateRule::Range { from, to, .. } = rule {
                        assert!(from <= to);
                        assert_eq!(from.weekday(), Weekday::Sat);
                    }
                }
                if let (Some(j), Some(l)) = (m.joins, m.leaves) {
                    assert!(j < l);
                }
            }
            // Every layer admits at least two people.
            for layer in &config.layers {
                let n = config
                    .members
                    .iter()
                    .filter(|m| layer.eligible.admits(m))
                    .count();
                assert!(n >= 2, "{} in {}: {n} eligible", layer.name, spec.name);
            }
        }
    }

    #[test]
    fn scaling_series_spans_5_to_300_members_and_1_to_12_months() {
        let series = scaling_series();
        assert_eq!(series.first().map(|s| (s.members, s.months)), Some((5, 1)));
        assert_eq!(
            series.last().map(|s| (s.members, s.months)),
            Some((300, 12))
        );
        assert!(series.windows(2).all(|w| w[0].members < w[1].members));
        let names: BTreeSet<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), series.len());
    }

    #[test]
    fn tiny_series_is_up_to_five_people_over_a_month() {
        let series = tiny_series();
        assert!(series.iter().all(|s| s.members <= 5 && s.months == 1));
        let names: BTreeSet<&str> = series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), series.len());
        // Different seeds give different teams.
        let configs: BTreeSet<String> = series
            .iter()
            .filter(|s| s.name.starts_with("tiny-5-daily"))
            .map(|s| format!("{:?}", generate(s).members))
            .collect();
        assert_eq!(configs.len(), 3);
    }

    #[test]
    fn follow_the_sun_has_one_window_per_region() {
        let spec = Spec {
            layers: vec![LayerSpec::new("sun", LayerKind::FollowTheSun)],
            ..Spec::scaling(40, 1)
        };
        let config = generate(&spec);
        let names: Vec<&str> = config.layers.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["sun-amer", "sun-apac", "sun-emea"]);
        for layer in &config.layers {
            let region = layer.name.trim_start_matches("sun-");
            assert_eq!(region_zone(region), layer.timezone);
            for m in &config.members {
                assert_eq!(layer.eligible.admits(m), m.tags.contains(region));
            }
        }
    }

    #[test]
    fn xorshift_is_uniform_enough() {
        let mut rng = XorShift::new(0);
        let draws: Vec<f64> = (0..10_000).map(|_| rng.unit()).collect();
        assert!(draws.iter().all(|&x| (0.0..1.0).contains(&x)));
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
        let mut buckets = [0u32; 10];
        for _ in 0..10_000 {
            buckets[rng.below(10) as usize] += 1;
        }
        assert!(
            buckets.iter().all(|&b| (800..1200).contains(&b)),
            "{buckets:?}"
        );
        assert_eq!(rng.below(0), 0);
        // Seeds are independent streams, and seed 0 does not stick at zero.
        let (mut a, mut b) = (XorShift::new(1), XorShift::new(2));
        assert_ne!(a.next_u64(), b.next_u64());
        assert_ne!(XorShift::new(0).next_u64(), 0);
    }
}
