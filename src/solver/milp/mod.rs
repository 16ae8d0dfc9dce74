//! The exact MILP in good_lp, solved by HiGHS: the whole model (the bound and often the
//! proof), neighbourhoods of it (LNS), and relaxations (the fairness floor, the
//! infeasibility diagnosis).
//!
//! [`model`] builds and solves it; [`bounds`] adds what integrality implies and the LP
//! cannot see, and gives a bound without any LP; [`watch`] reports HiGHS's progress.

pub(super) mod bounds;
pub(super) mod model;
pub(super) mod watch;
