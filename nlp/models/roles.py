"""Sentence roles inside problem/suggestion paragraphs: 问题 / 原因 / 措施 (ANNOTATION.md §3).

Units are the sentences of a paragraph (ending in 。！？；) further cut before the clause markers
一是/二是/…/①②…, exactly as :func:`jixiao.rules.labels.split_sentences` cuts them, so training,
evaluation and the runtime stage share one definition. Each unit of a paragraph labelled 存在问题 or 建议 gets at most one role.

:class:`RoleClassifier` (``role_logreg.v1``) is a multinomial logistic regression over the unit's
words and character n-grams, cue words, the paragraph labels, the unit's position and the cues of
the unit before it, with a ``none`` class for units that carry no role. Two structural checks sit
beside the learned weights, both off by default so that older configs and saved models keep their
behaviour: a title-like unit (:func:`is_title_unit`) is never a statement and gets ``none``, and
a unit whose lead-in names its role (:func:`leadin_role`) gets that role (``structure``); a scoring sentence that loses points (:func:`is_deduction`) is a problem cue
(``deductions``). :class:`RoleTagger` is the runtime stage.

>>> sentence_units("1. 基金扩面征缴难度大。一是受经济下行影响，欠费严重；二是人员流动频繁。")
[(0, 13), (13, 28), (28, 37)]
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from jixiao.errors import JixiaoError
from jixiao.models.estimator import (
    E_BAD_ARRAYS, E_BAD_DATA, E_BAD_LABEL, Estimator, Item, check_items, load_arrays, read_config, read_json,
    register, save_arrays, write_config, write_json,
)
from jixiao.models.paragraph_cls import (
    BlockTfidf, PUNCT_ONLY_RE, known_params, word_tokenizer, char_ngrams, normalize_for_ngrams,
)
from jixiao.tokenize import DEFAULT_DICT

from jixiao.schema import ROLES  # noqa: E402
#: The class of units that carry no role.
NONE = "none"
#: Paragraph labels whose sentences get roles.
ROLE_LABELS = frozenset({"存在问题", "建议"})

# Cue words (ANNOTATION.md §3 and the seed reports). Each is a named feature and the rule baseline.
# 原因: 「主要原因是」「由于」「受当前经济下行压力的影响」「偏差原因：」「导致」
CAUSE_CUE_RE = re.compile(r"原因|由于|因为|受[^，。；]{0,20}影响|导致|造成|致使|所致|归因")
# 措施: 「建议」「下一步」「进一步加强」「要大力推进」「采取的措施是」「应加快」
MEASURE_CUE_RE = re.compile(r"建议|下一步|进一步|措施|加强|强化|加大|完善|健全|推进|做好|提升|提高|规范|落实|确保|"
                            r"^\s*(?:[一二三四五六七八九十]+是)?要|应当|应该|^\s*应|将|计划|继续|持续")
# 问题: 「存储空间不够」「预算编制不准确」「财务专业人员极度缺乏」「难度大」「有待完善」
PROBLEM_CUE_RE = re.compile(r"不够|不足|不到位|不准确|不全面|不完善|不规范|不强|不高|不明确|不及时|缺乏|匮乏|短缺|"
                            r"难度大|有待|存在|问题|欠缺|欠费|较弱|薄弱|滞后|偏低|偏高|困难|压力|矛盾|风险|未能|没有|尚未")
# A unit that only names a topic: 「医疗保险网络维护项目绩效目标完成情况综述。」, 「具体情况如下：」,
# 「1. 项目绩效目标完成情况。」. At most 50 characters, no clause punctuation inside, ending in a topic
# noun (综述/概述/概况/简介/情况/如下) and an optional 。/：. 「…的情况。」 is left out: 「存在资金拨付不及时的情况。」
# states a problem.
TITLE_UNIT_RE = re.compile(r"^[^，,；;：:。！？]{0,46}(?<!的)(?:综述|概述|概况|简介|情况|如下)\s*[。：:]?\s*$")
# Negations and modals make a predicate out of a topic phrase (「资金到位情况不理想」 never ends in 情况,
# but 「未按时报送情况」 does).
TITLE_PREDICATE_RE = re.compile(r"[不未无没需应要]")
# A unit whose writer names its role in a lead-in before a colon: 「发现的主要问题：……」, 「偏差原因：……」,
# 「下一步改进措施：……」, 「建议：……」 (after an optional 1. / (1) / 1、 number). Group 1 is the role word.
ROLE_LEADIN_RE = re.compile(r"^\s*(?:[（(]?\d{1,2}\s*(?:[）)、]|[.．](?!\d))\s*)?(?:发现的|存在的)?(?:主要|具体)?"
                            r"(问题|(?:偏差|主要)?原因|(?:下一步)?(?:改进|整改)?措施|(?:改进)?建议)\s*[:：]")
# A scoring sentence that loses points: 「分值5分，得分4.81分」, 「分值 5 分，得分 3.89 分」, 「权重10分，得8分」,
# 「扣0.5分」. Groups: full marks, score (the first form) or the deduction (扣).
DEDUCTION_RE = re.compile(r"(?:分值|权重)\s*[为是]?\s*(\d+(?:\.\d+)?)\s*分[^。；]{0,20}?得\s*分?\s*[为是]?\s*(\d+(?:\.\d+)?)\s*分"
                          r"|扣\s*(?:除)?\s*(\d+(?:\.\d+)?)\s*分")
# Single cue words reported as their own features (for the error analysis and a sharper model).
CUE_WORDS = ("主要原因", "原因", "由于", "影响", "导致", "建议", "下一步", "进一步", "加强", "措施", "应当",
             "有待", "不足", "缺乏", "不到位", "问题", "难度")


# ---------------------------------------------------------------------------------------------
# Units


def sentence_units(text: str) -> list[tuple[int, int]]:
    """Role units of a paragraph: the project's one sentence splitter
    (:func:`jixiao.rules.labels.split_sentences`: 。！？； and 一是/二是/① clause markers).

    >>> t = "存在以下问题：一是制度不全，二是人员不足。"
    >>> [t[a:b] for a, b in sentence_units(t)]
    ['存在以下问题：', '一是制度不全，', '二是人员不足。']
    """
    from jixiao.rules.labels import split_sentences

    return split_sentences(text)


def unit_roles(units: Sequence[tuple[int, int]], gold: Sequence[Sequence[Any]]) -> list[str | None]:
    """Gold role of each unit: the role of the gold span covering most of it (at least half).

    >>> unit_roles([(0, 10), (10, 20)], [[0, 9, "问题"], [12, 30, "原因"]])
    ['问题', '原因']
    """
    out: list[str | None] = []
    for a, b in units:
        best, best_ov = None, 0
        for s, e, role in gold:
            ov = min(b, e) - max(a, s)
            if ov > best_ov:
                best, best_ov = role, ov
        out.append(best if best_ov * 2 >= (b - a) else None)
    return out


def unit_items(text: str, labels: Sequence[str], section: Sequence[str] | None = None,
               doc_id: str | None = None) -> tuple[list[tuple[int, int]], list[dict[str, Any]]]:
    """Units of a paragraph and one classifier item per unit (the same for training and runtime).

    >>> spans, items = unit_items("1. 预算编制不准确。主要原因是人员不足。", ["存在问题"])
    >>> items[1]["text"], items[1]["context"]["position"], items[1]["context"]["prev_text"]
    ('主要原因是人员不足。', 1, '1. 预算编制不准确。')
    """
    spans = sentence_units(text)
    items = []
    for i, (a, b) in enumerate(spans):
        items.append({
            "text": text[a:b],
            "section": list(section or []),
            "context": {"labels": list(labels), "position": i, "n_units": len(spans),
                        "prev_text": text[spans[i - 1][0]:spans[i - 1][1]] if i else "",
                        "doc_id": doc_id},
        })
    return spans, items


# ---------------------------------------------------------------------------------------------
# Features


def cue_features(text: str, prefix: str = "cue") -> list[str]:
    """Cue classes and cue words found in ``text``.

    >>> cue_features("主要原因是受疫情影响。")
    ['cue:原因', 'cuew:主要原因', 'cuew:原因', 'cuew:影响']
    """
    feats = []
    for name, rx in (("原因", CAUSE_CUE_RE), ("措施", MEASURE_CUE_RE), ("问题", PROBLEM_CUE_RE)):
        if rx.search(text):
            feats.append(f"{prefix}:{name}")
    feats += [f"{prefix}w:{w}" for w in CUE_WORDS if w in text]
    return feats


def is_title_unit(text: str) -> bool:
    """Whether a unit only names a topic (a title sentence inside a paragraph), so it states no
    problem, cause or measure.

    ANNOTATION.md §2 gives headings no label; a heading run into its body paragraph
    (「…项目绩效目标完成情况综述。项目全年预算数20万元……」) is the same thing one level down, so it gets
    no role. The check is structural: short, no clause punctuation, ends in a topic noun
    (:data:`TITLE_UNIT_RE`), and no negation, modal or cue word that would make it a statement.

    >>> is_title_unit("医疗保险网络维护项目绩效目标完成情况综述。"), is_title_unit("具体情况如下：")
    (True, True)
    >>> is_title_unit("1. 基金扩面征缴难度大。"), is_title_unit("存在资金拨付不及时的情况。")
    (False, False)
    """
    t = text.strip()
    if not TITLE_UNIT_RE.match(t) or TITLE_PREDICATE_RE.search(t):
        return False
    return not (CAUSE_CUE_RE.search(t) or MEASURE_CUE_RE.search(t) or PROBLEM_CUE_RE.search(t))


def leadin_role(text: str) -> str | None:
    """The role a unit's own lead-in names (:data:`ROLE_LEADIN_RE`), else None: the writer's label
    beats any cue in the rest of the unit (「发现的主要问题：由于……，存储空间不够。」 states a problem
    although it gives a cause on the way).

    >>> leadin_role("发现的主要问题：由于资料过多，存储空间不够。"), leadin_role("下一步改进措施：加强培训。")
    ('问题', '措施')
    >>> leadin_role("偏差原因：受疫情影响。"), leadin_role("主要原因是人员不足。")
    ('原因', None)
    """
    m = ROLE_LEADIN_RE.match(text)
    if not m:
        return None
    word = m.group(1)
    return "原因" if word.endswith("原因") else "问题" if word == "问题" else "措施"


def is_deduction(text: str) -> bool:
    """Whether a scoring sentence reports lost points (score below full marks, or 扣 N 分 with N > 0):
    a shortfall, which ANNOTATION.md §3 counts as a problem statement.

    >>> is_deduction("实际完成值为92.1%，分值5分，得分4.81分。"), is_deduction("分值 5 分，得分 5 分。")
    (True, False)
    >>> is_deduction("未按时报送，扣0.5分。")
    True
    """
    from decimal import Decimal

    for m in DEDUCTION_RE.finditer(text):
        full, score, minus = m.groups()
        if minus is not None and Decimal(minus) > 0:
            return True
        if full is not None and Decimal(score) < Decimal(full):
            return True
    return False


def unit_features(item: Item, words: Callable[[str], list[str]], ngram_max: int = 3, rules: bool = False,
                  structure: bool = False, deductions: bool = False) -> list[str]:
    """Feature strings of one unit item (blocks ``w``, ``c``, ``cue``/``cuew``, ``ctx``, ``prev``,
    and with ``rules`` ``r``: the rule baseline's role from :func:`jixiao.rules.labels.role_of`).
    With ``structure``, ``ctx:title`` for a title-like unit (:func:`is_title_unit`) and
    ``ctx:leadin_<role>`` for a unit whose lead-in names its role (:func:`leadin_role`); with
    ``deductions``, for a scoring sentence that loses points (:func:`is_deduction`), ``cuew:扣分``
    plus the problem cue class ``cue:问题``: the documents that teach the model what a problem cue weighs rarely hold a
    scoring sentence, so the deduction speaks through the cue class they do teach.

    >>> f = unit_features({"text": "建议加强管理。", "context": {"labels": ["建议"], "position": 0, "n_units": 1}}, list)
    >>> [x for x in f if x.startswith(("cue:", "ctx:"))]
    ['cue:措施', 'ctx:label_建议', 'ctx:pos_only', 'ctx:first']
    """
    text = item["text"]
    ctx = item.get("context") or {}
    norm = normalize_for_ngrams(text)
    feats = [f"w:{w}" for w in words(norm) if not PUNCT_ONLY_RE.match(w)]
    feats += [f"c:{g}" for g in char_ngrams(norm, 1, ngram_max)]
    feats += cue_features(text)
    if structure:
        if is_title_unit(text):
            feats.append("ctx:title")
        named = leadin_role(text)
        if named:
            feats.append(f"ctx:leadin_{named}")
    if deductions and is_deduction(text):
        feats.append("cuew:扣分")
        if "cue:问题" not in feats:
            feats.append("cue:问题")
    # The first eight characters again: cues at the start (「一是要」「主要原因」) weigh more.
    feats += [f"s:{g}" for g in char_ngrams(normalize_for_ngrams(text[:8]), 2, 3)]
    for lab in ctx.get("labels") or []:
        feats.append(f"ctx:label_{lab}")
    pos, n = int(ctx.get("position", 0)), int(ctx.get("n_units", 1))
    feats.append("ctx:pos_only" if n <= 1 else "ctx:pos_first" if pos == 0 else
                 "ctx:pos_last" if pos == n - 1 else "ctx:pos_mid")
    if pos == 0:
        feats.append("ctx:first")
    prev = ctx.get("prev_text") or ""
    if prev:
        feats += cue_features(prev, prefix="prev")
    section = item.get("section") or []
    if section:
        feats += [f"h1:{w}" for w in words(normalize_for_ngrams(section[-1])) if not PUNCT_ONLY_RE.match(w)]
    if rules:
        from jixiao.rules.labels import role_of

        feats.append(f"r:{role_of(text, list(ctx.get('labels') or [])) or NONE}")
    return feats


# ---------------------------------------------------------------------------------------------
# Estimator


@register("role_logreg.v1")
class RoleClassifier(Estimator):
    """Multinomial logistic regression over unit features; classes ``none`` + :data:`ROLES`.

    ``y`` holds one role per unit, ``None`` (or ``"none"``) for a unit without role.

    Args:
        C: inverse regularisation strength.
        ngram_max: longest character n-gram.
        min_df: features seen in fewer training units are dropped.
        cue_weight: scale of the cue and context blocks relative to the text blocks.
        class_weight: ``"balanced"`` or ``None``.
        rule_features: add the rule baseline's role as a feature.
        rule_backoff_min: roles with fewer training units than this are left to the rule baseline
            (:func:`jixiao.rules.labels.role_of`): where the rules give such a role, it wins. A role
            absent from the training documents could otherwise never be predicted.
        structure: title-like units (:func:`is_title_unit`) get ``none`` and units whose lead-in
            names their role (:func:`leadin_role`, 「发现的主要问题：」) get that role, whatever the
            weights say: a topic phrase states nothing, the writer's own label is the best
            evidence there is, and a handful of training documents may hold neither to learn from. Off by default: older configs and saved models keep their
            behaviour.
        deductions: lost-points scoring sentences (:func:`is_deduction`) count as a problem cue.
            Off by default (see ``configs/roles.yaml`` for why it stays off there too).
        seed: random state of the solver.
    """

    classes: tuple[str, ...] = (NONE,) + ROLES

    def __init__(self, C: float = 4.0, ngram_max: int = 3, min_df: int = 1, cue_weight: float = 1.0,
                 class_weight: str | None = "balanced", rule_features: bool = True, rule_backoff_min: int = 5,
                 structure: bool = False, deductions: bool = False, seed: int = 0):
        self.C = C
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.cue_weight = cue_weight
        self.class_weight = class_weight
        self.rule_features = rule_features
        self.rule_backoff_min = rule_backoff_min
        self.structure = structure
        self.deductions = deductions
        self.seed = seed

    def _dict_path(self) -> str | None:
        return getattr(self, "dict_path_", None) or str(DEFAULT_DICT)

    def _weights(self) -> dict[str, float]:
        return {b: self.cue_weight for b in ("cue", "cuew", "ctx", "prev", "prevw", "r")}

    def _featurize(self, items: Sequence[Item]) -> list[list[str]]:
        words = word_tokenizer(self._dict_path()).words
        return [unit_features(it, words, self.ngram_max, self.rule_features, self.structure, self.deductions)
                for it in items]

    def _targets(self, y: Sequence[str | None]) -> np.ndarray:
        index = {c: i for i, c in enumerate(self.classes)}
        out = []
        for r, role in enumerate(y):
            key = NONE if role is None else role
            if key not in index:
                raise JixiaoError(E_BAD_LABEL, f"unknown role {role!r} in target {r}; allowed: {', '.join(ROLES)} or None")
            out.append(index[key])
        return np.array(out, dtype=np.int64)

    def fit(self, X: Sequence[Item], y: Sequence[str | None]) -> "RoleClassifier":
        from sklearn.linear_model import LogisticRegression

        items = check_items(X, y)
        if not items:
            raise JixiaoError(E_BAD_DATA, "cannot fit on zero units; give at least one sentence with its role")
        t = self._targets(y)
        feats = self._featurize(items)
        self.vectorizer_ = BlockTfidf(min_df=self.min_df, weights=self._weights()).fit(feats)
        Xv = self.vectorizer_.transform(feats)
        K = len(self.classes)
        present = sorted(set(t.tolist()))
        counts = np.bincount(t, minlength=K)
        self.backoff_roles_ = [r for r in ROLES if counts[self.classes.index(r)] < self.rule_backoff_min]
        self.coef_ = np.zeros((K, Xv.shape[1]))
        self.intercept_ = np.full(K, -30.0)  # classes never seen in training stay impossible
        if len(present) == 1:
            self.intercept_[present[0]] = 0.0
            return self
        lr = LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=3000, random_state=self.seed)
        lr.fit(Xv, t)
        if len(present) == 2:  # binary LR gives one row: class 1 vs class 0
            self.coef_[present[1]] = lr.coef_[0] / 2
            self.coef_[present[0]] = -lr.coef_[0] / 2
            self.intercept_[present[1]] = lr.intercept_[0] / 2
            self.intercept_[present[0]] = -lr.intercept_[0] / 2
        else:
            for row, cls in enumerate(lr.classes_):
                self.coef_[cls] = lr.coef_[row]
                self.intercept_[cls] = lr.intercept_[row]
        return self

    def predict_proba(self, X: Sequence[Item]) -> np.ndarray:
        """Class probabilities, shape ``(len(X), 4)``, columns ``none, 问题, 原因, 措施``."""
        self._check_fitted("coef_")
        items = check_items(X)
        if not items:
            return np.zeros((0, len(self.classes)))
        z = np.asarray(self.vectorizer_.transform(self._featurize(items)) @ self.coef_.T) + self.intercept_
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        proba = e / e.sum(axis=1, keepdims=True)
        if self.backoff_roles_:
            from jixiao.rules.labels import role_of

            for r, it in enumerate(items):
                rule = role_of(it["text"], list((it.get("context") or {}).get("labels") or []))
                if rule in self.backoff_roles_:
                    # The rule's role takes 0.9 of the mass; the model keeps the rest, scaled.
                    proba[r] *= 0.1
                    proba[r, self.classes.index(rule)] += 0.9
        if self.structure:
            for r, it in enumerate(items):
                fixed = NONE if is_title_unit(it["text"]) else leadin_role(it["text"])
                if fixed is not None:
                    proba[r] = 0.0
                    proba[r, self.classes.index(fixed)] = 1.0
        return proba

    def predict(self, X: Sequence[Item]) -> list[str | None]:
        """One role per unit, ``None`` where the ``none`` class wins."""
        proba = self.predict_proba(X)
        return [None if self.classes[k] == NONE else self.classes[k] for k in proba.argmax(axis=1)]

    def save(self, folder: str | Path) -> Path:
        self._check_fitted("coef_")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        features, idf = self.vectorizer_.state()
        write_config(folder, self, {"classes": list(self.classes), "id2label": dict(enumerate(self.classes)),
                                    "n_features": len(features),
                                    "files": ["vocab.json", "state.json", "model.safetensors", "jieba_dict.txt"]})
        write_json(folder / "vocab.json", {"features": features})
        write_json(folder / "state.json", {"backoff_roles": self.backoff_roles_})
        save_arrays(folder / "model.safetensors", {"idf": idf, "coef": self.coef_, "intercept": self.intercept_})
        word_tokenizer(self._dict_path()).save_dictionary(folder)
        card = folder / "README.md"
        if not card.exists():
            card.write_text(f"# role_logreg.v1\n\nSentence roles {', '.join(ROLES)} (+ none). Features: {len(features)}.\n"
                            "`jixiao train roles` writes the full model card.\n", encoding="utf-8")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> "RoleClassifier":
        folder = Path(folder)
        cfg = read_config(folder, expect=cls.registered_name)
        if list(cfg.get("classes", cls.classes)) != list(cls.classes):
            raise JixiaoError(E_BAD_ARRAYS, f"model classes {cfg.get('classes')} differ from {list(cls.classes)}; "
                                            "re-train the model", path=str(folder))
        est = cls(**known_params(cls, cfg.get("params", {})))
        arrays = load_arrays(folder / "model.safetensors")
        features = read_json(folder / "vocab.json")["features"]
        est.vectorizer_ = BlockTfidf.from_state(features, arrays["idf"], est.min_df, est._weights())
        est.coef_ = arrays["coef"].astype(np.float64)
        est.intercept_ = arrays["intercept"].astype(np.float64)
        if est.coef_.shape != (len(cls.classes), len(features)):
            raise JixiaoError(E_BAD_ARRAYS, f"coef has shape {est.coef_.shape}; re-train the model", path=str(folder))
        backoff = read_json(folder / "state.json").get("backoff_roles", [])
        if not set(backoff) <= set(ROLES):
            raise JixiaoError(E_BAD_ARRAYS, f"state.json names unknown roles {backoff}; re-train the model", path=str(folder))
        est.backoff_roles_ = list(backoff)
        d = folder / "jieba_dict.txt"
        est.dict_path_ = str(d) if d.exists() else None
        return est


# ---------------------------------------------------------------------------------------------
# Runtime stage


class RoleTagger:
    """The pipeline's role stage: units of a paragraph with a role or ``None``.

    >>> tagger = RoleTagger.load("models/roles")  # doctest: +SKIP
    >>> tagger.predict("1. 预算编制不准确。主要原因是人员不足。", ["存在问题"], ["五、存在问题"])  # doctest: +SKIP
    [(0, 11, '问题'), (11, 21, '原因')]
    """

    def __init__(self, classifier: RoleClassifier):
        self.classifier = classifier

    @classmethod
    def load(cls, folder: str | Path) -> "RoleTagger":
        return cls(RoleClassifier.load(folder))

    def predict(self, paragraph_text: str, labels: Sequence[str], section: Sequence[str] | None = None
                ) -> list[tuple[int, int, str | None]]:
        """Every unit as ``(start, end, role | None)``; units of paragraphs without 存在问题/建议 get None."""
        return self.predict_many([(paragraph_text, labels, section)])[0]

    def predict_many(self, paragraphs: Sequence[tuple[str, Sequence[str], Sequence[str] | None]]
                     ) -> list[list[tuple[int, int, str | None]]]:
        """Batched :meth:`predict` over ``(text, labels, section)`` triples (one model call)."""
        out: list[list[tuple[int, int, str | None]]] = []
        batch: list[dict[str, Any]] = []
        where: list[tuple[int, int]] = []
        for p, (text, labels, section) in enumerate(paragraphs):
            spans, items = unit_items(text, labels, section)
            out.append([(a, b, None) for a, b in spans])
            if ROLE_LABELS & set(labels):
                for u, it in enumerate(items):
                    batch.append(it)
                    where.append((p, u))
        if batch:
            for (p, u), role in zip(where, self.classifier.predict(batch)):
                a, b, _ = out[p][u]
                out[p][u] = (a, b, role)
        return out

