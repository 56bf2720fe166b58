//! Small 2-D vector type shared by worlds and agents.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign, Mul, Neg, Sub, SubAssign};

/// The scalar type used throughout the project.
pub type Real = f64;

/// A 2-D vector (position, velocity, force or direction), in metres or metres per second.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Vec2 {
    /// x component (east).
    pub x: Real,
    /// y component (north).
    pub y: Real,
}

impl Vec2 {
    /// The zero vector.
    pub const ZERO: Vec2 = Vec2 { x: 0.0, y: 0.0 };

    /// A vector from its components.
    pub const fn new(x: Real, y: Real) -> Self {
        Vec2 { x, y }
    }

    /// Dot product.
    pub fn dot(self, o: Vec2) -> Real {
        self.x * o.x + self.y * o.y
    }

    /// z component of the 3-D cross product (positive when `o` is counter-clockwise of `self`).
    pub fn cross(self, o: Vec2) -> Real {
        self.x * o.y - self.y * o.x
    }

    /// Euclidean norm. (`sqrt(x^2 + y^2)` rather than `hypot`: the values here are metres, far
    /// from overflow, and `hypot` is several times slower on the agent's hot path.)
    pub fn norm(self) -> Real {
        (self.x * self.x + self.y * self.y).sqrt()
    }

    /// Squared Euclidean norm.
    pub fn norm2(self) -> Real {
        self.dot(self)
    }

    /// Distance to another point.
    pub fn dist(self, o: Vec2) -> Real {
        (self - o).norm()
    }

    /// The unit vector in the same direction, or zero for a (near) zero vector.
    pub fn normalized(self) -> Vec2 {
        let n = self.norm();
        if n > 1e-12 {
            self * (1.0 / n)
        } else {
            Vec2::ZERO
        }
    }

    /// The vector turned by +90 degrees.
    pub fn perp(self) -> Vec2 {
        Vec2::new(-self.y, self.x)
    }

    /// The vector rotated by `angle` radians counter-clockwise.
    pub fn rotated(self, angle: Real) -> Vec2 {
        let (s, c) = angle.sin_cos();
        Vec2::new(c * self.x - s * self.y, s * self.x + c * self.y)
    }

    /// Each component clamped to `[-m, m]`.
    pub fn clamp_each(self, m: Real) -> Vec2 {
        Vec2::new(self.x.clamp(-m, m), self.y.clamp(-m, m))
    }

    /// Whether both components are finite.
    pub fn is_finite(self) -> bool {
        self.x.is_finite() && self.y.is_finite()
    }

    /// The components as an array `[x, y]`.
    pub fn to_array(self) -> [Real; 2] {
        [self.x, self.y]
    }
}

impl Add for Vec2 {
    type Output = Vec2;
    fn add(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x + o.x, self.y + o.y)
    }
}
impl AddAssign for Vec2 {
    fn add_assign(&mut self, o: Vec2) {
        self.x += o.x;
        self.y += o.y;
    }
}
impl Sub for Vec2 {
    type Output = Vec2;
    fn sub(self, o: Vec2) -> Vec2 {
        Vec2::new(self.x - o.x, self.y - o.y)
    }
}
impl SubAssign for Vec2 {
    fn sub_assign(&mut self, o: Vec2) {
        self.x -= o.x;
        self.y -= o.y;
    }
}
impl Mul<Real> for Vec2 {
    type Output = Vec2;
    fn mul(self, s: Real) -> Vec2 {
        Vec2::new(self.x * s, self.y * s)
    }
}
impl Neg for Vec2 {
    type Output = Vec2;
    fn neg(self) -> Vec2 {
        Vec2::new(-self.x, -self.y)
    }
}

/// Distance from point `p` to the segment `a`-`b`.
pub fn point_segment_dist(p: Vec2, a: Vec2, b: Vec2) -> Real {
    let ab = b - a;
    let l2 = ab.norm2();
    let t = if l2 > 0.0 {
        ((p - a).dot(ab) / l2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.dist(a + ab * t)
}

/// Whether the segments `a`-`b` and `c`-`d` cross or touch.
pub fn segments_intersect(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> bool {
    let d1 = (b - a).cross(c - a);
    let d2 = (b - a).cross(d - a);
    let d3 = (d - c).cross(a - c);
    let d4 = (d - c).cross(b - c);
    ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
}

/// Distance between the segments `a`-`b` and `c`-`d` (0 when they cross).
pub fn segment_segment_dist(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> Real {
    if segments_intersect(a, b, c, d) {
        return 0.0;
    }
    point_segment_dist(a, c, d)
        .min(point_segment_dist(b, c, d))
        .min(point_segment_dist(c, a, b))
        .min(point_segment_dist(d, a, b))
}

/// An axis-aligned box `[min, max]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aabb {
    /// Lower-left corner.
    pub min: Vec2,
    /// Upper-right corner.
    pub max: Vec2,
}

impl Aabb {
    /// The point of the box closest to `p` (`p` itself when inside).
    pub fn closest_point(&self, p: Vec2) -> Vec2 {
        Vec2::new(
            p.x.clamp(self.min.x, self.max.x),
            p.y.clamp(self.min.y, self.max.y),
        )
    }

    /// Distance from `p` to the box (0 inside).
    pub fn dist_to_point(&self, p: Vec2) -> Real {
        p.dist(self.closest_point(p))
    }

    /// The four corners.
    pub fn corners(&self) -> [Vec2; 4] {
        [
            self.min,
            Vec2::new(self.max.x, self.min.y),
            self.max,
            Vec2::new(self.min.x, self.max.y),
        ]
    }

    /// Whether the segment `a`-`b` touches the box (Liang-Barsky clipping).
    pub fn intersects_segment(&self, a: Vec2, b: Vec2) -> bool {
        let d = b - a;
        let mut t0: Real = 0.0;
        let mut t1: Real = 1.0;
        for (p, q) in [
            (-d.x, a.x - self.min.x),
            (d.x, self.max.x - a.x),
            (-d.y, a.y - self.min.y),
            (d.y, self.max.y - a.y),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
                if t0 > t1 {
                    return false;
                }
            }
        }
        true
    }

    /// Distance between the segment `a`-`b` and the box (0 when they touch).
    ///
    /// For two disjoint convex shapes in the plane the closest pair involves a vertex of one of them,
    /// so the minimum over segment endpoints and box corners is exact.
    pub fn dist_to_segment(&self, a: Vec2, b: Vec2) -> Real {
        if self.intersects_segment(a, b) {
            return 0.0;
        }
        let mut d = self.dist_to_point(a).min(self.dist_to_point(b));
        for c in self.corners() {
            d = d.min(point_segment_dist(c, a, b));
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_segment_distance() {
        let o = Vec2::ZERO;
        assert_eq!(
            segment_segment_dist(
                Vec2::new(-1.0, 0.0),
                Vec2::new(1.0, 0.0),
                Vec2::new(0.0, -1.0),
                Vec2::new(0.0, 1.0)
            ),
            0.0
        );
        let d = segment_segment_dist(
            o,
            Vec2::new(1.0, 0.0),
            Vec2::new(0.5, 0.3),
            Vec2::new(0.5, 1.0),
        );
        assert!((d - 0.3).abs() < 1e-12);
    }

    #[test]
    fn segment_box_distance() {
        let b = Aabb {
            min: Vec2::new(0.0, 0.0),
            max: Vec2::new(1.0, 1.0),
        };
        assert_eq!(
            b.dist_to_segment(Vec2::new(-1.0, 0.5), Vec2::new(2.0, 0.5)),
            0.0
        );
        let d = b.dist_to_segment(Vec2::new(-1.0, 1.5), Vec2::new(2.0, 1.5));
        assert!((d - 0.5).abs() < 1e-12);
        let d = b.dist_to_segment(Vec2::new(2.0, 2.0), Vec2::new(3.0, 3.0));
        assert!((d - 2f64.sqrt()).abs() < 1e-12);
    }
}
