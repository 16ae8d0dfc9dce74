//! What `rota check` prints: members, layers, shifts per layer, and every shift
//! no eligible member can take (with why each candidate is excluded).

use super::Problem;

pub fn render(problem: &Problem) -> String {
    let _ = problem;
    String::new()
}
