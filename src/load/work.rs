//! The work a PKCS#12 file may cause, and the caller's way to stop it.
//!
//! Opening a PFX is the one place where an input chooses how much CPU the tool spends:
//! every key derivation runs as many iterations as the file asks for. Two bounds keep
//! that in hand, both counted per thread because a file is opened on one thread:
//! - a budget for the whole file ([`MAX_TOTAL_ITERATIONS`]): what the file declares is
//!   refused up front when it is over, and what is met later (keys inside an encrypted
//!   safe) is charged before it runs;
//! - a [`StopFlag`] the caller raises when nobody waits for the answer any more (the
//!   page's request timed out, the server is stopping): the next derivation is refused.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Problem;

/// Key derivation iterations one PFX may ask for in all, its bags, its integrity check
/// and every password tried together: a real file asks for a few thousand (at most a
/// few million with a password manager's counts). Without it, 1,000 bags of a million
/// iterations each would each pass the per-derivation limit and burn an hour of CPU.
#[cfg(not(fuzzing))]
pub const MAX_TOTAL_ITERATIONS: u64 = 4_000_000;
#[cfg(fuzzing)]
pub const MAX_TOTAL_ITERATIONS: u64 = 20_000;

thread_local! {
    /// What the PFX being opened on this thread has been charged so far.
    static SPENT: Cell<u64> = const { Cell::new(0) };
    /// The flag of the [`watching`] call running on this thread, if any.
    static WATCHED: std::cell::RefCell<Option<StopFlag>> = const { std::cell::RefCell::new(None) };
    /// Whether a derivation was refused because the flag was raised.
    static STOPPED: Cell<bool> = const { Cell::new(false) };
}

/// "Nobody waits for this answer any more", shared between the thread doing the work
/// and the one that gave up on it. Cloning shares the flag.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks the work to stop at its next key derivation.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Runs `work` on this thread with `flag` watched by its key derivations: once the
/// flag is raised, the next one is refused with [`Problem::Stopped`] and the work
/// ends with that error. Returns what `work` returned, and whether it was stopped so.
pub fn watching<T>(flag: &StopFlag, work: impl FnOnce() -> T) -> (T, bool) {
    /// Puts the thread back as it was, even if `work` unwinds.
    struct Restore;
    impl Drop for Restore {
        fn drop(&mut self) {
            WATCHED.with(|w| w.replace(None));
        }
    }
    WATCHED.with(|w| w.replace(Some(flag.clone())));
    STOPPED.with(|s| s.set(false));
    let restore = Restore;
    let value = work();
    drop(restore);
    (value, STOPPED.with(Cell::get))
}

/// Starts the count of a new file.
pub(super) fn start() {
    SPENT.with(|s| s.set(0));
}

/// Refuses the file when what it declares up front is over the budget.
pub(super) fn declare(iterations: u64, what: impl FnOnce() -> String) -> Result<(), Problem> {
    if iterations > MAX_TOTAL_ITERATIONS {
        return Err(Problem::BadPkcs12(format!(
            "{} ask for {iterations} key-derivation iterations in all (the budget of one file is {MAX_TOTAL_ITERATIONS}); refused before any work",
            what()
        )));
    }
    Ok(())
}

/// Charges `n` iterations to the file being opened, before they run: refused past the
/// budget, or when the caller has raised its stop flag.
pub(super) fn charge(n: u64) -> Result<(), Problem> {
    let raised = WATCHED.with(|w| w.borrow().as_ref().is_some_and(StopFlag::is_raised));
    if raised {
        STOPPED.with(|s| s.set(true));
        return Err(Problem::Stopped);
    }
    let spent = SPENT.with(|s| {
        let total = s.get().saturating_add(n);
        s.set(total);
        total
    });
    if spent > MAX_TOTAL_ITERATIONS {
        return Err(Problem::BadPkcs12(format!(
            "the file asks for more than {MAX_TOTAL_ITERATIONS} key-derivation iterations in all (its bags and integrity check, for every password tried); refused"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_of_many_heavy_bags_is_refused_once_its_budget_is_spent() {
        start();
        // Four derivations of a million iterations: each within the limit, the sum the budget.
        for _ in 0..4 {
            assert!(charge(1_000_000).is_ok());
        }
        // The fifth is refused before it runs, and so is every one after it.
        let err = charge(1_000_000).unwrap_err();
        assert!(err.to_string().contains("in all"), "{err}");
        assert!(charge(2048).is_err());
        // The next file starts afresh.
        start();
        assert!(charge(2048).is_ok());
    }

    #[test]
    fn a_raised_flag_refuses_the_next_derivation_and_says_so() {
        let flag = StopFlag::new();
        let ((), stopped) = watching(&flag, || {
            start();
            assert!(charge(2048).is_ok());
        });
        assert!(!stopped);
        let (result, stopped) = watching(&flag, || {
            start();
            flag.raise();
            charge(2048)
        });
        assert_eq!(result, Err(Problem::Stopped));
        assert!(stopped);
        // Outside `watching`, the flag is not seen.
        start();
        assert!(charge(2048).is_ok());
    }

    #[test]
    fn declared_work_over_the_budget_is_refused_with_its_figure() {
        assert!(declare(MAX_TOTAL_ITERATIONS, String::new).is_ok());
        let err = declare(1_000_000_000, || "1000 bags".into()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("1000 bags ask for 1000000000"), "{text}");
        assert!(text.contains("before any work"), "{text}");
    }
}
