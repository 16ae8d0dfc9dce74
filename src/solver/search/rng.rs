//! The searches' one source of randomness: xorshift64, a fixed sequence on every
//! platform, so a run that finishes its iterations is reproducible.

/// A random stream; a copy goes on where the original stands.
#[derive(Debug, Clone)]
pub(crate) struct Rng(u64);

impl Rng {
    /// The stream starting after `state` (0, the one state xorshift never leaves, is
    /// taken as 1).
    pub fn new(state: u64) -> Rng {
        Rng(state.max(1))
    }

    /// Stream `stream` of the run seeded `seed`: runs with other seeds draw other
    /// numbers in every stream.
    pub fn seeded(stream: u64, seed: u64) -> Rng {
        Rng::new(stream ^ seed.wrapping_mul(0x2545_f491_4f6c_dd1d))
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform enough in `[0, n)`; 0 when `n` is 0.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// True with probability `p`.
    #[cfg(test)]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zero_state_still_moves_and_a_seed_changes_the_stream() {
        let mut zero = Rng::new(0);
        assert_ne!(zero.next(), 0);
        let (mut a, mut b) = (Rng::seeded(7, 1), Rng::seeded(7, 2));
        assert_ne!(a.next(), b.next());
        let mut again = Rng::seeded(7, 1);
        again.next();
        assert_eq!(
            a.next(),
            again.next(),
            "the same seed gives the same stream"
        );
    }

    #[test]
    fn below_stays_below_and_reaches_every_value() {
        let mut rng = Rng::new(42);
        let mut seen = [0usize; 5];
        for _ in 0..1000 {
            seen[rng.below(5)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 150), "{seen:?}");
        assert_eq!(rng.below(0), 0);
        assert!((0..1000).all(|_| (0.0..1.0).contains(&rng.unit())));
    }
}
