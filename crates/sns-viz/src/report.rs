//! HTML replays (todo).
