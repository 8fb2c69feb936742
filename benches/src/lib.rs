//! criterion micro-benchmarks of the privlink data plane live in `benches/`.
