"""Rotation helpers shared by the golden scripts (numpy only)."""

import numpy as np


def random_rotation(rng):
    """A uniformly random rotation matrix from a unit quaternion drawn with ``rng`` (a numpy Generator)."""
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([[w*w+x*x-y*y-z*z, 2*(x*y-w*z), 2*(x*z+w*y)],
                     [2*(x*y+w*z), w*w-x*x+y*y-z*z, 2*(y*z-w*x)],
                     [2*(x*z-w*y), 2*(y*z+w*x), w*w-x*x-y*y+z*z]])
