"""Small planar and spatial geometry helpers shared by robots, scenes and experts.

Conventions: positions in metres, angles in radians, quaternions ``(x, y, z, w)``
(PyBullet order). A planar pose is ``(x, y, yaw)`` in the world frame (z up).
"""

from __future__ import annotations

import math

import numpy as np
import pybullet as p

Rect = tuple[float, float, float, float]
"""An axis-aligned rectangle ``(xmin, ymin, xmax, ymax)`` in the world xy plane (m)."""


def wrap_angle(angle: float) -> float:
    """Wrap an angle (rad) to ``[-pi, pi)``."""
    return (angle + math.pi) % (2.0 * math.pi) - math.pi


def rot2(yaw: float) -> np.ndarray:
    """2x2 rotation matrix for ``yaw`` (rad)."""
    c, s = math.cos(yaw), math.sin(yaw)
    return np.array([[c, -s], [s, c]])


def yaw_quat(yaw: float) -> tuple[float, float, float, float]:
    """Quaternion of a rotation by ``yaw`` about world z."""
    return (0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0))


def quat_yaw(quat: tuple[float, float, float, float] | np.ndarray) -> float:
    """Yaw (rad) of a quaternion, from its rotation of the x axis projected on the xy plane."""
    m = np.array(p.getMatrixFromQuaternion(quat)).reshape(3, 3)
    return math.atan2(m[1, 0], m[0, 0])


def quat_matrix(quat: tuple[float, float, float, float] | np.ndarray) -> np.ndarray:
    """3x3 rotation matrix of a quaternion ``(x, y, z, w)``."""
    return np.array(p.getMatrixFromQuaternion(quat)).reshape(3, 3)


def matrix_quat(m: np.ndarray) -> np.ndarray:
    """Quaternion ``(x, y, z, w)`` of a 3x3 rotation matrix."""
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = math.sqrt(tr + 1.0) * 2
        q = [(m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s, 0.25 * s]
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = math.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = [0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s, (m[2, 1] - m[1, 2]) / s]
    elif m[1, 1] > m[2, 2]:
        s = math.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = [(m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s, (m[0, 2] - m[2, 0]) / s]
    else:
        s = math.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = [(m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s, (m[1, 0] - m[0, 1]) / s]
    q = np.array(q)
    return q / np.linalg.norm(q)


def rotvec_matrix(rotvec: np.ndarray) -> np.ndarray:
    """Rotation matrix of a rotation vector (axis * angle, rad) via Rodrigues' formula."""
    angle = float(np.linalg.norm(rotvec))
    if angle < 1e-12:
        return np.eye(3)
    k = np.asarray(rotvec) / angle
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + math.sin(angle) * kx + (1 - math.cos(angle)) * kx @ kx


def matrix_rotvec(m: np.ndarray) -> np.ndarray:
    """Rotation vector (axis * angle, rad) of a rotation matrix; angle in ``[0, pi]``."""
    cos = max(-1.0, min(1.0, (np.trace(m) - 1.0) / 2.0))
    angle = math.acos(cos)
    if angle < 1e-9:
        return np.zeros(3)
    if math.pi - angle < 1e-6:  # 180 degrees: axis from the symmetric part
        axis = np.sqrt(np.maximum((np.diag(m) + 1.0) / 2.0, 0.0))
        i = int(np.argmax(axis))
        for j in range(3):
            if j != i and m[i, j] < 0:
                axis[j] = -axis[j]
        return axis / np.linalg.norm(axis) * angle
    axis = np.array([m[2, 1] - m[1, 2], m[0, 2] - m[2, 0], m[1, 0] - m[0, 1]]) / (2.0 * math.sin(angle))
    return axis * angle


def euler_matrix(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Extrinsic x-y-z rotation (roll about x, then pitch about y, then yaw about z; fixed axes)."""
    return quat_matrix(p.getQuaternionFromEuler((roll, pitch, yaw)))


def matrix_euler(m: np.ndarray) -> np.ndarray:
    """Inverse of :func:`euler_matrix`: ``(roll, pitch, yaw)``."""
    return np.array(p.getEulerFromQuaternion(matrix_quat(m)))


def box_corners(x: float, y: float, yaw: float, hx: float, hy: float) -> np.ndarray:
    """Corners ``(4, 2)`` of an oriented rectangle centred at ``(x, y)`` with half sizes ``hx, hy``."""
    local = np.array([[hx, hy], [-hx, hy], [-hx, -hy], [hx, -hy]])
    return local @ rot2(yaw).T + np.array([x, y])


def obb_hits_rect(corners: np.ndarray, rect: Rect) -> bool:
    """Separating-axis test: does the convex quad ``corners`` (4, 2) overlap ``rect``?"""
    xmin, ymin, xmax, ymax = rect
    if corners[:, 0].max() <= xmin or corners[:, 0].min() >= xmax:
        return False
    if corners[:, 1].max() <= ymin or corners[:, 1].min() >= ymax:
        return False
    rect_pts = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]])
    for i in range(2):  # the quad's two edge normals
        edge = corners[(i + 1) % 4] - corners[i]
        axis = np.array([-edge[1], edge[0]])
        a, b = corners @ axis, rect_pts @ axis
        if a.max() <= b.min() or b.max() <= a.min():
            return False
    return True
