"""The Abadie–Imbens standard error of the matched ATT on samples small enough to work by hand."""
from __future__ import annotations

import numpy as np
import pytest

from workbench.monitoring.matching import match_sample
from workbench.monitoring.variance import (abadie_imbens_variance, conditional_variance,
                                           control_weights, matched_se)


def _reused():
    """Three participants, one feature, one match each (k = 1), no bias correction:
    participants at 0.1 and 0.2 both take control 0 (at 0), the one at 1.1 takes control 1.
    Contrasts D = (1 − 0, 2 − 0, 3 − 1) = (1, 2, 2), ATT 5/3."""
    tx = np.array([[0.1], [0.2], [1.1]])
    cx = np.array([[0.0], [1.0], [10.0]])
    ty = np.array([1.0, 2.0, 3.0])
    cy = np.array([0.0, 1.0, 5.0])
    return tx, cx, ty, cy


def test_a_reused_control_worked_by_hand():
    tx, cx, ty, cy = _reused()
    m = match_sample(tx, cx, ty, cy, 1, 100.0, False)
    np.testing.assert_allclose(m.contrasts, [1.0, 2.0, 2.0])
    assert m.att == pytest.approx(5 / 3)
    w, q = control_weights(m, 3)
    np.testing.assert_allclose(w, [2.0, 1.0, 0.0])  # K_M(i) / M with M = 1
    np.testing.assert_allclose(q, [2.0, 1.0, 0.0])
    # σ̂² with J = 1: each control against its nearest other control, × J/(J+1) = 1/2:
    # control 0 → control 1: (0 − 1)²/2; control 1 → control 0: the same; control 2 → 1: 4²/2
    np.testing.assert_allclose(conditional_variance(cx, cy, m.beta, 1), [0.5, 0.5, 8.0])
    # own term: Σ(D − 5/3)² = 4/9 + 1/9 + 1/9 = 2/3, over N₁(N₁ − 1) = 6 → 1/9;
    # reuse term: control 0, K(K − 1)/M² = 2, × σ̂² 0.5, over N₁² = 9 → 1/9
    assert abadie_imbens_variance(m, np.array([0.5, 0.5, 8.0])) == pytest.approx(2 / 9)
    assert matched_se(m, cx, cy, 1) == pytest.approx(np.sqrt(2) / 3)


def test_a_control_reused_by_several_participants_widens_the_se():
    """The same contrasts with control 0 split into two controls with its change, one beside
    each of the two participants: no control is reused, only the own term 1/9 remains —
    SE 1/3 against √2/3 with reuse."""
    tx, cx, ty, cy = _reused()
    cx2 = np.array([[0.1], [0.2], [1.0], [10.0]])
    cy2 = np.array([0.0, 0.0, 1.0, 5.0])
    unique = match_sample(tx, cx2, ty, cy2, 1, 100.0, False)
    np.testing.assert_allclose(unique.contrasts, [1.0, 2.0, 2.0])
    w, _ = control_weights(unique, 4)
    assert w.max() == 1.0
    sigma2 = np.array([0.5, 0.5, 0.5, 8.0])
    assert abadie_imbens_variance(unique, sigma2) == pytest.approx(1 / 9)
    reused = match_sample(tx, cx, ty, cy, 1, 100.0, False)
    assert np.sqrt(abadie_imbens_variance(reused, np.array([0.5, 0.5, 8.0]))) > \
        np.sqrt(abadie_imbens_variance(unique, sigma2))


def test_reuse_term_is_k_times_k_minus_one_over_m_squared():
    """With M matches each, W_j² − Q_j = K_j(K_j − 1)/M², the term of Abadie et al. (2004)."""
    rng = np.random.default_rng(5)
    tx, cx = rng.normal(size=(40, 2)) - 0.5, rng.normal(size=(60, 2))
    m = match_sample(tx, cx, rng.normal(size=40), rng.normal(size=60), 3, 100.0, True)
    w, q = control_weights(m, 60)
    k_used = np.bincount(m.near[m.weights > 0], minlength=60)
    np.testing.assert_allclose(w ** 2 - q, k_used * (k_used - 1) / 9, atol=1e-12)
    assert k_used.max() > 1


def test_the_se_matches_the_spread_over_replications_of_a_linear_outcome():
    """Features fixed, outcomes redrawn: the mean SE is the SD of the estimates (within 10%)."""
    rng = np.random.default_rng(0)
    tx, cx = rng.normal(size=(30, 3)) - 0.8, rng.normal(size=(300, 3))
    b = np.array([0.5, -1.0, 0.3])
    est, se = [], []
    for _ in range(400):
        cy = cx @ b + rng.normal(size=300)
        ty = tx @ b + rng.normal(size=30)
        m = match_sample(tx, cx, ty, cy, 3, 10.0, True)
        est.append(m.att)
        se.append(matched_se(m, cx, cy, 3))
    assert np.mean(se) == pytest.approx(np.std(est), rel=0.1)


def test_the_variance_of_a_control_is_against_other_controls_and_undefined_when_too_few():
    cx = np.array([[0.0], [0.0], [3.0]])  # an exact duplicate: its nearest other is the twin
    assert conditional_variance(cx, np.array([1.0, 3.0, 0.0]), np.zeros(1), 1)[0] == \
        pytest.approx(0.5 * 2.0 ** 2)
    assert np.isnan(conditional_variance(cx[:1], np.array([1.0]), np.zeros(1), 1)).all()
