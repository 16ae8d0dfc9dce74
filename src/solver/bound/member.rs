//! One member's own schedule priced exactly: a dynamic program over their candidate
//! shifts in time order, with their load and the recent shifts they hold as the state,
//! giving for every final load the least priced cost of reaching it.
//!
//! This is the pricing step of column generation (the standard bound of crew and nurse
//! rostering): with coverage priced instead of required, members no longer interact
//! except through the fairness terms, which only see final loads. What the program
//! leaves out only lowers what it returns, so the bound stays valid: runs
//! (`max_consecutive`) and shift caps are not tracked, and where more earlier shifts
//! stay relevant than the state keeps, the oldest are forgotten (their conflicts and
//! back-to-back pairs with later shifts go unseen).

use crate::problem::Problem;
use crate::solver::index::Index;
use crate::solver::milp::bounds;

/// Recent shifts the state keeps at most (a bit each): the masks of one step are
/// enumerated densely.
const MAX_LIVE: usize = 6;

/// One member's program: its shape, fixed once, and the tables of its last run.
pub(super) struct Program {
    pub m: usize,
    /// In fairness: the load is tracked; otherwise only the cost.
    pub fair: bool,
    /// Points per unit of load.
    pub unit: f64,
    /// Loads (in units) a schedule better than the best known can end with.
    pub range: (usize, usize),
    /// The member's candidate shifts, in time order.
    shifts: Vec<usize>,
    must: Vec<bool>,
    /// Per step, in units (0 outside fairness).
    points: Vec<usize>,
    /// Per step: the seat's own cost (load, prefer-off, churn), before its price.
    cost: Vec<f64>,
    /// Per step: the live bits it conflicts with, and those it follows back to back
    /// (both after-hours for this member).
    conflict: Vec<u8>,
    b2b: Vec<u8>,
    /// Per step: its live bits' places in the next step's mask (by mask), and its own.
    carry: Vec<Vec<u8>>,
    own: Vec<u8>,
    /// Per step: masks of its live set.
    masks: Vec<usize>,
    /// Per step: the most points still to come from it on.
    reach: Vec<usize>,
    /// Per step after the first: per (mask, load), the parent's mask and whether the
    /// step's shift was taken (top bit).
    from: Vec<Vec<u16>>,
    /// Per final load: the least priced cost (∞ where unreachable) and its mask.
    pub finals: Vec<(f64, u16)>,
}

const TOOK: u16 = 1 << 15;

impl Program {
    /// `None` where the member's points have no common step at 1/1000 or their loads
    /// would take more than `max_levels` units.
    pub fn new(
        problem: &Problem,
        index: &Index,
        m: usize,
        load_range: (f64, f64),
        max_levels: usize,
    ) -> Option<Program> {
        let shifts: Vec<usize> = (0..index.shifts)
            .filter(|&s| {
                index.is_candidate(s, m)
                    && (!index.frozen[s] || index.fixed[s].binary_search(&m).is_ok())
            })
            .collect();
        let fair = index.in_fairness[m];
        let points = || shifts.iter().map(|&s| problem.cells[s][m].points);
        // No points at all (or none but 0): any unit tracks a load of 0.
        let unit = if fair && points().any(|p| p != 0.0) {
            bounds::step(points())?
        } else {
            1.0
        };
        let points: Vec<usize> = shifts
            .iter()
            .map(|&s| {
                if fair {
                    (problem.cells[s][m].points / unit).round() as usize
                } else {
                    0
                }
            })
            .collect();
        let total: usize = points.iter().sum();
        let range = if fair {
            let lo = (load_range.0 / unit - 1e-9).ceil().max(0.0) as usize;
            let hi = ((load_range.1 / unit + 1e-9).floor().max(0.0) as usize).min(total);
            (lo, hi)
        } else {
            (0, 0)
        };
        if range.1 >= max_levels {
            return None;
        }
        let must = shifts
            .iter()
            .map(|&s| index.fixed[s].binary_search(&m).is_ok())
            .collect();
        let cost = shifts
            .iter()
            .map(|&s| index.seat_cost(problem, s, m))
            .collect();

        // Steps are positions in `shifts`. A step stays live while a later one
        // conflicts with it or follows it back to back (after-hours both).
        let k = shifts.len();
        let after = |i: usize| problem.cells[shifts[i]][m].after_hours;
        let related = |i: usize, j: usize| {
            let (a, b) = (shifts[i], shifts[j]);
            index.conflicts[a].binary_search(&b).is_ok()
                || (after(i) && after(j) && index.b2b_next[a].binary_search(&b).is_ok())
        };
        let mut reach = vec![0usize; k];
        for (i, r) in reach.iter_mut().enumerate() {
            *r = i;
            let s = shifts[i];
            let last = index.conflicts[s]
                .iter()
                .chain(&index.b2b_next[s])
                .copied()
                .max()
                .unwrap_or(s);
            let mut j = i + 1;
            while j < k && shifts[j] <= last {
                if related(i, j) {
                    *r = j;
                }
                j += 1;
            }
        }
        // live[i]: earlier steps still related to step i or later, the newest kept.
        let mut live: Vec<Vec<usize>> = Vec::with_capacity(k + 1);
        let mut open: Vec<usize> = Vec::new();
        for i in 0..=k {
            open.retain(|&j| reach[j] >= i);
            if i > 0 && reach[i - 1] >= i {
                open.push(i - 1);
            }
            while open.len() > MAX_LIVE {
                open.remove(0);
            }
            live.push(open.clone());
        }
        let bits = |i: usize, of: &dyn Fn(usize) -> bool| -> u8 {
            live[i]
                .iter()
                .enumerate()
                .filter(|&(_, &j)| of(j))
                .fold(0u8, |acc, (b, _)| acc | 1 << b)
        };
        let conflict = (0..k)
            .map(|i| {
                bits(i, &|j| {
                    index.conflicts[shifts[j]].binary_search(&shifts[i]).is_ok()
                })
            })
            .collect();
        let b2b = (0..k)
            .map(|i| {
                if !after(i) {
                    return 0;
                }
                bits(i, &|j| {
                    after(j) && index.b2b_next[shifts[j]].binary_search(&shifts[i]).is_ok()
                })
            })
            .collect();
        let place = |i: usize, j: usize| live[i].iter().position(|&x| x == j);
        let carry = (0..k)
            .map(|i| {
                (0..1usize << live[i].len())
                    .map(|mask| {
                        live[i]
                            .iter()
                            .enumerate()
                            .filter(|&(b, _)| mask >> b & 1 == 1)
                            .filter_map(|(_, &j)| place(i + 1, j))
                            .fold(0u8, |acc, b| acc | 1 << b)
                    })
                    .collect()
            })
            .collect();
        let own = (0..k)
            .map(|i| place(i + 1, i).map_or(0, |b| 1 << b))
            .collect();
        let masks = live.iter().map(|l| 1usize << l.len()).collect();
        let mut reach_points = vec![0usize; k + 1];
        for i in (0..k).rev() {
            reach_points[i] = reach_points[i + 1] + points[i];
        }
        Some(Program {
            m,
            fair,
            unit,
            range,
            shifts,
            must,
            points,
            cost,
            conflict,
            b2b,
            carry,
            own,
            masks,
            reach: reach_points,
            from: Vec::new(),
            finals: Vec::new(),
        })
    }

    /// Loads tracked: 0 up to the top of the range.
    fn width(&self) -> usize {
        self.range.1 + 1
    }

    /// Bytes of the tables a run fills (the way back to each state): what the plan's
    /// memory budget counts.
    pub fn table_bytes(&self) -> usize {
        let states: usize = self.masks[1..].iter().sum();
        states * self.width() * std::mem::size_of::<u16>()
    }

    /// Runs the program under `price` (per shift) with `wb` per back-to-back pair;
    /// fills `finals`.
    pub fn run(&mut self, price: &[f64], wb: f64) {
        let k = self.shifts.len();
        let width = self.width();
        let (lo, hi) = self.range;
        self.from.resize_with(k, Vec::new);
        let mut here = vec![f64::INFINITY; self.masks[0] * width];
        here[0] = 0.0;
        let mut next: Vec<f64> = Vec::new();
        for i in 0..k {
            let masks_next = self.masks[i + 1];
            next.clear();
            next.resize(masks_next * width, f64::INFINITY);
            let from = &mut self.from[i];
            from.clear();
            from.resize(masks_next * width, 0);
            let p = self.points[i];
            let take_cost = self.cost[i] - price[self.shifts[i]];
            let still = self.reach[i + 1];
            for mask in 0..self.masks[i] {
                let carried = self.carry[i][mask] as usize;
                let row = &here[mask * width..(mask + 1) * width];
                let blocked = mask as u8 & self.conflict[i] != 0;
                let pairs = (mask as u8 & self.b2b[i]).count_ones();
                let add = take_cost + wb * f64::from(pairs);
                let taken = carried | self.own[i] as usize;
                for (load, &c) in row.iter().enumerate() {
                    if !c.is_finite() {
                        continue;
                    }
                    if !self.must[i] && load + still >= lo {
                        let at = carried * width + load;
                        if c < next[at] {
                            next[at] = c;
                            from[at] = mask as u16;
                        }
                    }
                    if blocked {
                        continue;
                    }
                    let load = load + p;
                    if load > hi || load + still < lo {
                        continue;
                    }
                    let at = taken * width + load;
                    let c = c + add;
                    if c < next[at] {
                        next[at] = c;
                        from[at] = mask as u16 | TOOK;
                    }
                }
            }
            std::mem::swap(&mut here, &mut next);
        }
        self.finals.clear();
        self.finals.resize(width, (f64::INFINITY, 0));
        for mask in 0..self.masks[k] {
            for load in lo..width {
                let c = here[mask * width + load];
                if c < self.finals[load].0 {
                    self.finals[load] = (c, mask as u16);
                }
            }
        }
    }

    /// Marks in `held` (per shift) the shifts of the last run's schedule ending at
    /// `load`.
    pub fn held(&self, load: usize, held: &mut [u32]) {
        let (_, mut mask) = self.finals[load];
        let mut load = load;
        let width = self.width();
        for i in (0..self.shifts.len()).rev() {
            let f = self.from[i][mask as usize * width + load];
            if f & TOOK != 0 {
                held[self.shifts[i]] += 1;
                load -= self.points[i];
            }
            mask = f & !TOOK;
        }
    }
}
