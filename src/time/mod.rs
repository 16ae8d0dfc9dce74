//! Local wall-clock time → UTC with an explicit DST policy, shift generation and
//! per-member classification of every minute (SPEC §3).
