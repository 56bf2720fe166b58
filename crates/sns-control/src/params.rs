//! Physical parameters by Gymnasium's attribute names, with range checks.

use thiserror::Error;

/// A parameter's name and allowed range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    /// Gymnasium's attribute name.
    pub name: &'static str,
    /// The smallest allowed value (excluded when `min_open`).
    pub min: f64,
    /// The largest allowed value (included).
    pub max: f64,
    /// Whether `min` itself is excluded (e.g. a mass must be positive).
    pub min_open: bool,
    /// Whether only whole numbers are allowed (a switch such as MountainCar's `goal_left`).
    pub whole: bool,
}

impl ParamSpec {
    fn allows(&self, v: f64) -> bool {
        let above = if self.min_open {
            v > self.min
        } else {
            v >= self.min
        };
        above && v <= self.max && (!self.whole || v.fract() == 0.0)
    }
}

/// A parameter could not be read or set.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum ParamError {
    /// The world has no parameter of that name.
    #[error("{world} has no parameter `{name}` (known: {})", known.join(", "))]
    Unknown {
        /// The world.
        world: &'static str,
        /// The name asked for.
        name: String,
        /// The names it has.
        known: Vec<&'static str>,
    },
    /// The value is outside the parameter's range (or NaN), or not a whole number where only
    /// whole numbers are allowed.
    #[error("{world} parameter `{name}` = {value:?} is out of range {}{min}, {max}]{}", if *min_open { "(" } else { "[" }, if *whole { " (whole numbers only)" } else { "" })]
    OutOfRange {
        /// The world.
        world: &'static str,
        /// The parameter.
        name: &'static str,
        /// The value given.
        value: f64,
        /// Its smallest allowed value.
        min: f64,
        /// Its largest allowed value.
        max: f64,
        /// Whether `min` is excluded.
        min_open: bool,
        /// Whether only whole numbers are allowed.
        whole: bool,
    },
}

/// A world's physical parameters, read and set by Gymnasium's names.
pub trait Params: Clone {
    /// The world's name, for messages.
    const WORLD: &'static str;

    /// Every parameter with its range.
    fn specs() -> &'static [ParamSpec];

    /// The storage of the parameter `name`, if it exists.
    fn slot(&mut self, name: &str) -> Option<&mut f64>;

    /// The value of `name`.
    fn get(&self, name: &str) -> Result<f64, ParamError> {
        let mut copy = self.clone();
        copy.slot(name)
            .map(|v| *v)
            .ok_or_else(|| unknown::<Self>(name))
    }

    /// Sets `name` to `value`, checking its range; nothing changes on error.
    fn set(&mut self, name: &str, value: f64) -> Result<(), ParamError> {
        let spec = Self::specs()
            .iter()
            .find(|s| s.name == name)
            .ok_or_else(|| unknown::<Self>(name))?;
        if !spec.allows(value) {
            return Err(ParamError::OutOfRange {
                world: Self::WORLD,
                name: spec.name,
                value,
                min: spec.min,
                max: spec.max,
                min_open: spec.min_open,
                whole: spec.whole,
            });
        }
        let slot = self.slot(name).ok_or_else(|| unknown::<Self>(name))?;
        *slot = value;
        Ok(())
    }
}

fn unknown<P: Params>(name: &str) -> ParamError {
    ParamError::Unknown {
        world: P::WORLD,
        name: name.to_string(),
        known: P::specs().iter().map(|s| s.name).collect(),
    }
}

/// A spec with a closed range.
pub(crate) const fn closed(name: &'static str, min: f64, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        min,
        max,
        min_open: false,
        whole: false,
    }
}

/// A spec allowing the whole numbers in `[min, max]` (a switch).
pub(crate) const fn whole(name: &'static str, min: f64, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        min,
        max,
        min_open: false,
        whole: true,
    }
}

/// A spec with a range open at `min` (a positive quantity).
pub(crate) const fn positive(name: &'static str, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        min: 0.0,
        max,
        min_open: true,
        whole: false,
    }
}
