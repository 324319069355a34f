//! Times 100,000 one-business-day due-time computations and prints the median of several runs.
//!
//! Run with `cargo bench --bench calendar`. The receipts are spread over 2024 to 2027 by a fixed
//! pseudo-random sequence, so every run computes the same deadlines, and the policies alternate.

use std::hint::black_box;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use regmail::calendar::{BusinessCalendar, Policy, ReceiptSource, BUSINESS_DAY};

const COMPUTATIONS: usize = 100_000;
const RUNS: usize = 7;

/// Returns `count` receipts between 2024-01-01 and 2027-12-31 from a linear congruential
/// generator with a fixed seed.
fn receipts(count: usize) -> Vec<Timestamp> {
    let first = Timestamp::from_second(1_704_085_200).expect("2024-01-01 05:00 UTC");
    let span_seconds: u64 = 4 * 365 * 86_400;
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let offset = (state >> 11) % span_seconds;
            Timestamp::from_second(first.as_second() + offset as i64).expect("in range")
        })
        .collect()
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn time_runs(mut work: impl FnMut() -> i64) -> Duration {
    let runs = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            black_box(work());
            start.elapsed()
        })
        .collect();
    median(runs)
}

fn report(operation: &str, elapsed: Duration) {
    let total_ms = elapsed.as_secs_f64() * 1e3;
    let per_call_ns = elapsed.as_secs_f64() * 1e9 / COMPUTATIONS as f64;
    println!(
        "{operation}: {total_ms:.1} ms per {COMPUTATIONS} calls ({per_call_ns:.0} ns each), \
         median of {RUNS} runs"
    );
}

fn main() {
    let calendar = BusinessCalendar::with_shipped_closures(Vec::new()).expect("calendar builds");
    let receipts = receipts(COMPUTATIONS);

    let due = time_runs(|| {
        let mut checksum = 0;
        for (index, received) in receipts.iter().enumerate() {
            let policy = if index % 2 == 0 {
                Policy::Close
            } else {
                Policy::Elapsed
            };
            let deadline = calendar
                .due(*received, ReceiptSource::ReceivedHeader, policy)
                .expect("receipts are in the supported years");
            checksum ^= deadline.due_at.as_second();
        }
        checksum
    });
    report("due (with explanation)", due);

    let elapsed = time_runs(|| {
        let mut checksum = 0;
        for received in &receipts {
            let due_at = calendar
                .add_business_time(*received, BUSINESS_DAY)
                .expect("receipts are in the supported years");
            checksum ^= due_at.as_second();
        }
        checksum
    });
    report("add_business_time (8 h 30 min, no explanation)", elapsed);

    let hours = time_runs(|| {
        receipts
            .iter()
            .filter(|received| calendar.is_business_hours(**received))
            .count() as i64
    });
    report("is_business_hours", hours);

    let start = Instant::now();
    let built = BusinessCalendar::with_shipped_closures(Vec::new()).expect("calendar builds");
    black_box(built);
    println!(
        "calendar construction: {:.2} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
}
