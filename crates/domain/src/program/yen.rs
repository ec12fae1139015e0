//! An amount of money in whole yen.

use std::fmt;

/// An amount in whole yen. Money is never a float: amounts are integers, added with overflow
/// checked, and shown in 千円 with the one rounding rule of [`crate::format::thousand_yen`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Yen(i64);

impl Yen {
    /// Zero yen.
    pub const ZERO: Self = Self(0);

    /// An amount of `yen` yen.
    pub const fn new(yen: i64) -> Self {
        Self(yen)
    }

    /// An amount given in 千円 (as plan sheets are filled in): `None` when it does not fit.
    pub fn from_thousands(thousands: i64) -> Option<Self> {
        thousands.checked_mul(1_000).map(Self)
    }

    /// The amount in yen.
    pub const fn yen(self) -> i64 {
        self.0
    }

    /// Whether it is below zero.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The sum, or `None` when it does not fit.
    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }

    /// The difference, or `None` when it does not fit.
    pub fn checked_sub(self, other: Self) -> Option<Self> {
        self.0.checked_sub(other.0).map(Self)
    }

    /// The sum of amounts, or `None` when it does not fit.
    pub fn checked_sum(amounts: impl IntoIterator<Item = Self>) -> Option<Self> {
        amounts
            .into_iter()
            .try_fold(Self::ZERO, |sum, a| sum.checked_add(a))
    }

    /// The amount as a 千円 column shows it: 「1,235千円」 (四捨五入).
    pub fn thousands_text(self) -> String {
        format!("{}千円", crate::format::thousand_yen_text(self.0))
    }
}

impl fmt::Display for Yen {
    /// 「1,234,567円」.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}円", crate::format::group_digits(&self.0.to_string()))
    }
}
