"""Constrained decoding, spans from tags, windows and the skip filter of the NER stage."""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.models.ner import (bio_labels, boundary_ids_for, is_valid_path, may_contain_entity,
                            tags_to_spans, transition_masks, viterbi_decode, windows)

LABELS = bio_labels()
START, TRANS = transition_masks(LABELS)


def test_transition_masks_forbid_i_after_other_types():
    i_amount = LABELS.index("I-AMOUNT")
    assert not START[i_amount]
    assert TRANS[LABELS.index("B-AMOUNT"), i_amount] and TRANS[i_amount, i_amount]
    assert not TRANS[LABELS.index("O"), i_amount]
    assert not TRANS[LABELS.index("B-UNIT"), i_amount]
    assert TRANS[i_amount, LABELS.index("B-UNIT")]
    # two spans of one type never touch: B-AMOUNT cannot follow B-AMOUNT / I-AMOUNT
    assert not TRANS[LABELS.index("B-AMOUNT"), LABELS.index("B-AMOUNT")]
    assert not TRANS[i_amount, LABELS.index("B-AMOUNT")]


def test_viterbi_repairs_an_invalid_argmax():
    # argmax says O, I-AMOUNT: invalid; best valid path is B-AMOUNT I-AMOUNT or O O
    scores = np.full((2, len(LABELS)), -10.0, dtype=np.float32)
    scores[0, LABELS.index("O")] = -0.1
    scores[0, LABELS.index("B-AMOUNT")] = -0.5
    scores[1, LABELS.index("I-AMOUNT")] = -0.1
    scores[1, LABELS.index("O")] = -3.0
    path = viterbi_decode(scores, START, TRANS)
    assert [LABELS[i] for i in path] == ["B-AMOUNT", "I-AMOUNT"]


def test_viterbi_keeps_a_valid_argmax():
    scores = np.log(np.full((3, len(LABELS)), 0.01, dtype=np.float32))
    scores[:, 0] = 0.0
    assert viterbi_decode(scores, START, TRANS) == [0, 0, 0]
    assert viterbi_decode(np.zeros((0, len(LABELS)), np.float32), START, TRANS) == []


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(0, 2**31 - 1))
def test_viterbi_never_emits_invalid_transitions(length, seed):
    rng = np.random.default_rng(seed)
    scores = np.log(rng.dirichlet(np.ones(len(LABELS)) * 0.3, size=length)).astype(np.float32)
    path = viterbi_decode(scores, START, TRANS)
    assert len(path) == length and is_valid_path(path, START, TRANS)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 12), st.integers(0, 2**31 - 1))
def test_viterbi_is_the_best_valid_path_on_short_sequences(length, seed):
    """Brute force over a 3-label scheme: Viterbi's score equals the best valid path's score."""
    import itertools

    labels = ["O", "B-A", "I-A"]
    start, trans = transition_masks(labels)
    rng = np.random.default_rng(seed)
    scores = np.log(rng.dirichlet(np.ones(3), size=min(length, 7))).astype(np.float64)
    best = max(sum(scores[t, p[t]] for t in range(len(p)))
               for p in itertools.product(range(3), repeat=len(scores)) if is_valid_path(p, start, trans))
    path = viterbi_decode(scores, start, trans)
    assert abs(sum(scores[t, k] for t, k in enumerate(path)) - best) < 1e-9


def test_tags_to_spans_uses_offsets_and_skips_spaces():
    text = "355,212 万元"
    offsets = [(i, i + 1) for i in range(7)] + [(8, 9), (9, 10)]
    tags = ["B-AMOUNT"] + ["I-AMOUNT"] * 6 + ["B-UNIT", "I-UNIT"]
    spans = tags_to_spans(tags, offsets)
    assert spans == [(0, 7, "AMOUNT"), (8, 10, "UNIT")]
    assert [text[s:e] for s, e, _ in spans] == ["355,212", "万元"]


def test_tags_to_spans_target_keeps_inner_spaces():
    offsets = [(0, 1), (2, 3), (3, 4), (5, 6), (6, 7)]  # "≥ 41 万人"
    assert tags_to_spans(["B-TARGET"] + ["I-TARGET"] * 4, offsets) == [(0, 7, "TARGET")]


def test_adjacent_spans_of_the_same_type_stay_apart():
    assert tags_to_spans(["B-AMOUNT", "B-AMOUNT", "O"], [(0, 1), (1, 2), (2, 3)]) == [
        (0, 1, "AMOUNT"), (1, 2, "AMOUNT")]


def test_windows_cover_everything_with_overlap():
    ws = windows(600, 254, 190)
    assert ws[0] == (0, 254) and ws[-1][1] == 600
    assert all(b - a <= 254 for a, b in ws)
    assert all(ws[i + 1][0] < ws[i][1] for i in range(len(ws) - 1))


def test_boundary_ids_follow_the_first_character_of_each_token():
    assert boundary_ids_for([(0, 1), (1, 2), (2, 3)], ["B", "E", "S"]) == [1, 3, 4]
    assert boundary_ids_for([(0, 1)], []) == [0]


def test_skip_filter():
    assert not may_contain_entity("一是健全综合内控制度。")
    assert not may_contain_entity("")
    for text in ("结余0万元", "增幅为１３％", "参保人数\t按时报送", "预期指标值为按时报送", "满意度较高",
                 "单位：万元", "资金情况（万元）"):
        assert may_contain_entity(text), text


def test_rule_feature_ids_follow_the_rule_spans():
    from jixiao.models.ner import RULE_IDS, rule_ids_for, span_tags

    offsets = [(0, 1), (1, 2), (3, 4), (4, 5)]
    assert span_tags(offsets, [[0, 2, "AMOUNT"], [3, 5, "UNIT"]], [0, 0, 0, 0]) == [
        "B-AMOUNT", "I-AMOUNT", "B-UNIT", "I-UNIT"]
    assert rule_ids_for(offsets, []) == [RULE_IDS["O"]] * 4
    assert min(RULE_IDS.values()) == 1  # 0 stays the padding id


def test_whole_rule_spans_forbid_cutting_a_rule_span_short():
    from jixiao.models.ner import continue_masks

    cont = continue_masks(LABELS)
    # the model wants B-ACTUAL I-ACTUAL I-ACTUAL O over a 4-character rule span (按时报送)
    scores = np.full((5, len(LABELS)), -9.0, dtype=np.float32)
    for t, lab in enumerate(["B-ACTUAL", "I-ACTUAL", "I-ACTUAL", "O", "O"]):
        scores[t, LABELS.index(lab)] = -0.05
    scores[3, LABELS.index("I-ACTUAL")] = -3.9
    inside = np.array([False, True, True, True, False])
    free = [LABELS[i] for i in viterbi_decode(scores, START, TRANS)]
    whole = [LABELS[i] for i in viterbi_decode(scores, START, TRANS, inside, cont)]
    assert free[3] == "O"
    assert whole == ["B-ACTUAL", "I-ACTUAL", "I-ACTUAL", "I-ACTUAL", "O"]


def test_whole_rule_spans_still_let_the_model_drop_or_relabel_a_rule_span():
    from jixiao.models.ner import continue_masks

    cont = continue_masks(LABELS)
    inside = np.array([False, True, True])
    drop = np.log(np.full((3, len(LABELS)), 0.01, dtype=np.float32))
    drop[:, 0] = 0.0                                   # the model says O everywhere: allowed
    assert viterbi_decode(drop, START, TRANS, inside, cont) == [0, 0, 0]
    relabel = np.full((3, len(LABELS)), -9.0, dtype=np.float32)
    for t, lab in enumerate(["B-TARGET", "I-TARGET", "I-TARGET"]):
        relabel[t, LABELS.index(lab)] = 0.0
    assert [LABELS[i] for i in viterbi_decode(relabel, START, TRANS, inside, cont)] == [
        "B-TARGET", "I-TARGET", "I-TARGET"]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 30), st.integers(0, 2**31 - 1))
def test_whole_rule_spans_paths_are_valid_and_never_end_inside(length, seed):
    from jixiao.models.ner import continue_masks

    cont = continue_masks(LABELS)
    rng = np.random.default_rng(seed)
    scores = np.log(rng.dirichlet(np.ones(len(LABELS)) * 0.3, size=length)).astype(np.float32)
    inside = rng.random(length) < 0.4
    inside[0] = False
    path = viterbi_decode(scores, START, TRANS, inside, cont)
    assert is_valid_path(path, START, TRANS)
    for t in range(1, length):
        prev = LABELS[path[t - 1]]
        if inside[t] and prev != "O":
            assert LABELS[path[t]] == "I-" + prev[2:]
