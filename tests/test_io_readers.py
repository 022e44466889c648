"""Reading .txt/.md in several encodings, .docx with tables, .pdf with tables, stdin and inputs."""
from __future__ import annotations

import io
import subprocess
import time
from pathlib import Path

import pytest

from jixiao.errors import UsageError
from jixiao.io import iter_inputs, join_cell_lines, read_document, read_stdin
from jixiao.io.readers import decode_text

REPORT = "一、项目概况\r\n本项目预算资金8684万元，执行率96.4%。\r\n二、存在问题\r\n"
EXPECTED = "一、项目概况\n本项目预算资金8684万元，执行率96.4%。\n二、存在问题\n"


# ------------------------------------------------------------------------------------------
# text encodings


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (REPORT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + REPORT.encode("utf-8"), "utf-8-sig"),
        (REPORT.encode("gbk"), "gb18030"),
        (REPORT.encode("gb18030"), "gb18030"),
        (b"\xff\xfe" + REPORT.encode("utf-16-le"), "utf-16-le"),
    ],
    ids=["utf8", "utf8-bom", "gbk", "gb18030", "utf16-bom"],
)
def test_text_encodings_are_detected(tmp_path: Path, data: bytes, encoding: str) -> None:
    path = tmp_path / "000_报告.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.text == EXPECTED  # BOM gone, \r\n → \n
    assert doc.encoding == encoding
    assert doc.doc_id == "000_报告"
    assert doc.fmt == "txt"
    assert doc.source == str(path)
    import hashlib

    assert doc.sha256 == hashlib.sha256(data).hexdigest()


def test_gb18030_only_characters(tmp_path: Path) -> None:
    # 𠮷 (Ext-B) and ㎡ exist in GB18030 but not in GBK's two-byte table.
    text = "土地面积1200㎡，𠮷祥村项目。"
    path = tmp_path / "a.md"
    path.write_bytes(text.encode("gb18030"))
    doc = read_document(path)
    assert doc.text == text and doc.encoding == "gb18030" and doc.fmt == "md"


def test_utf8_cut_mid_character_is_still_utf8(tmp_path: Path) -> None:
    data = ("一、项目概况\n" + "本项目预算资金8684万元。" * 20).encode("utf-8")[:-1]
    path = tmp_path / "cut.txt"
    path.write_bytes(data)
    doc = read_document(path)
    assert doc.encoding == "utf-8-lossy"
    assert doc.text.startswith("一、项目概况\n本项目预算资金8684万元。") and doc.text.endswith("\ufffd")


def test_wrong_guess_never_crashes() -> None:
    # Big5 bytes can also decode as GB18030 (garbage); the plausibility check sends them on to
    # charset-normalizer. Whatever it picks, reading must return text, not raise.
    big5 = "績效評價報告：預算執行率百分之九十六點四。項目資金管理規範。".encode("big5") * 5
    text, enc = decode_text(big5)
    assert text and enc
    latin1 = "Café naïve résumé, budget 8684 yuan.".encode("latin-1")
    text, enc = decode_text(latin1)
    assert "budget 8684" in text


def test_huge_single_line_is_read_in_linear_time(tmp_path: Path) -> None:
    line = "预算资金8684万元，" * 120_000  # 1,200,000 characters, no newline
    for enc in ("utf-8", "gbk"):
        path = tmp_path / f"huge_{enc}.txt"
        path.write_bytes(line.encode(enc))
        start = time.perf_counter()
        doc = read_document(path)
        assert time.perf_counter() - start < 5
        assert len(doc.text) == len(line) and doc.text == line


def test_join_cell_lines() -> None:
    assert join_cell_lines("参保\n人数") == "参保人数"
    assert join_cell_lines("Budget\nexecution\n2020") == "Budget execution 2020"
    assert join_cell_lines("5.87\n亿元") == "5.87亿元"
    assert join_cell_lines("a\tb") == "a b"
    assert join_cell_lines("\n \n") == ""


# ------------------------------------------------------------------------------------------
# docx


def _make_docx(path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph("一、绩效指标完成情况")
    t = d.add_table(rows=4, cols=3)
    t.cell(0, 0).text = "一级指标"
    t.cell(0, 1).text = "三级指标"
    t.cell(0, 2).text = "实际完成值"
    t.cell(1, 0).text = "产出指标"
    t.cell(1, 1).text = "参保人数"
    t.cell(1, 2).text = "13701人"
    t.cell(2, 1).text = "预算执行率"
    t.cell(2, 2).text = "96.4%"
    t.cell(1, 0).merge(t.cell(2, 0))  # vertical merge: 产出指标 spans two rows
    t.cell(3, 0).text = "合计"
    t.cell(3, 0).merge(t.cell(3, 1))  # horizontal merge
    t.cell(3, 2).text = "89.15"
    cell = t.cell(1, 1)
    cell.add_paragraph("（人）")  # a second paragraph in one cell
    d.add_paragraph("二、存在问题")
    d.add_paragraph("")  # an empty paragraph stays an empty line
    d.add_paragraph("绩效目标编制不全面。")
    d.save(str(path))


def test_docx_reading_order_and_tab_rows(tmp_path: Path) -> None:
    path = tmp_path / "003_报告.docx"
    _make_docx(path)
    doc = read_document(path)
    assert doc.fmt == "docx" and doc.encoding is None and doc.doc_id == "003_报告"
    assert doc.text.split("\n") == [
        "一、绩效指标完成情况",
        "一级指标\t三级指标\t实际完成值",
        "产出指标\t参保人数（人）\t13701人",
        "\t预算执行率\t96.4%",  # the vertically merged cell is emitted once
        "合计\t\t89.15",  # the horizontally merged cell once, then ""
        "二、存在问题",
        "",
        "绩效目标编制不全面。",
    ]


def test_docx_content_control_paragraphs_are_kept(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement

    d = docx.Document()
    cover = d.add_paragraph("和硕县2020年医疗保险基金绩效评价报告")
    d.add_paragraph("一、项目概况")
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    cover._p.addprevious(sdt)  # wrap the cover title in a block-level content control
    content.append(cover._p)
    sdt.append(content)
    path = tmp_path / "sdt.docx"
    d.save(str(path))
    assert read_document(path).text == "和硕县2020年医疗保险基金绩效评价报告\n一、项目概况"


def test_docx_upper_case_suffix(tmp_path: Path) -> None:
    path = tmp_path / "R.DOCX"
    _make_docx(path)
    assert read_document(path).text.startswith("一、绩效指标完成情况\n")


# ------------------------------------------------------------------------------------------
# pdf


WRAPPED_LATIN = (
    "The fund raised insurance income of 5617.38 thousand yuan and the number of insured persons "
    "reached 13701, above the annual target of 12732, while the budget execution rate was 96.4 "
    "percent against a target of at least 95 percent."
)


def _latin_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="1. Project overview", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(text="Budget funds were executed as planned.", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 6, text=WRAPPED_LATIN, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(first_row_as_headings=False) as table:
        for r in (("Indicator", "Target", "Actual"), ("Insured persons", "12732", "13701"), ("Rate", ">=95%", "96.4%")):
            row = table.row()
            for c in r:
                row.cell(c)
    pdf.ln(4)
    pdf.cell(text="2. Problems found", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.cell(text="Second page text", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_pdf_text_and_table_rows_in_reading_order(tmp_path: Path) -> None:
    path = tmp_path / "004_report.pdf"
    _latin_pdf(path)
    doc = read_document(path)
    assert doc.fmt == "pdf" and doc.doc_id == "004_report"
    assert doc.text.split("\n") == [
        "1. Project overview",
        "Budget funds were executed as planned.",
        WRAPPED_LATIN,  # the visual line wraps are joined again
        "Indicator\tTarget\tActual",
        "Insured persons\t12732\t13701",
        "Rate\t>=95%\t96.4%",
        "2. Problems found",
        "Second page text",
    ]


def _fc_list_zh() -> list[str]:
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    files += [str(p) for p in Path("/usr/share/fonts").rglob("*") if p.suffix.lower() in (".ttf", ".ttc", ".otf")]
    return sorted(set(files))


def _cjk_font(truetype: bool) -> str | None:
    """A CJK font file: TrueType outlines (pdfminer reads fpdf2's embedding) or CFF ones."""
    from fontTools.ttLib import TTFont

    for f in _fc_list_zh():
        try:
            font = TTFont(f, fontNumber=0, lazy=True)
            cmap = font.getBestCmap() or {}
            if ord("绩") not in cmap:
                continue
            if ("glyf" in font) == truetype:
                return f
        except Exception:
            continue
    return None


WRAPPED_CJK = (
    "一是健全综合内控制度，从组织机构、业务运行、基金管理等方面规范工作流程，全年保费收入5617.38万元，"
    "参保人数达到13701人，超过年度目标12732人，预算执行率96.4%，基金运行平稳。"
)


def _cjk_pdf(path: Path, font: str) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("cjk", fname=font)
    pdf.set_font("cjk", size=12)
    pdf.cell(text="一、项目概况", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(text="本项目预算资金8684万元，执行率96.4%。", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, text="　　" + WRAPPED_CJK, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 7, text="　　" + WRAPPED_CJK, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    with pdf.table(first_row_as_headings=False) as table:
        for r in (("三级指标", "年度指标值", "实际完成值"), ("参保人数", "≥12732人", "13701人")):
            row = table.row()
            for c in r:
                row.cell(c)
    pdf.ln(4)
    pdf.cell(text="二、存在问题", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_pdf_chinese_text_and_table(tmp_path: Path) -> None:
    font = _cjk_font(truetype=True)
    if font is None:
        pytest.skip("no CJK TrueType font found (fc-list :lang=zh); install fonts-wqy-microhei")
    path = tmp_path / "cjk.pdf"
    _cjk_pdf(path, font)
    assert read_document(path).text.split("\n") == [
        "一、项目概况",
        "本项目预算资金8684万元，执行率96.4%。",
        WRAPPED_CJK,  # wrapped lines joined (no space inside numbers); the indent is layout only
        WRAPPED_CJK,  # the indented first line starts a new paragraph
        "三级指标\t年度指标值\t实际完成值",
        "参保人数\t≥12732人\t13701人",
        "二、存在问题",
    ]


def test_pdf_falls_back_to_pdfium_when_pdfminer_sees_no_characters(tmp_path: Path) -> None:
    # fpdf2 embeds CFF (OpenType) CJK fonts with a CMap that pdfminer cannot read
    # (pdfminer.six issue #1072): no characters at all. PDFium reads them.
    font = _cjk_font(truetype=False)
    if font is None:
        pytest.skip("no CFF-based CJK font (e.g. Noto Sans CJK) found to build the fixture")
    path = tmp_path / "cff.pdf"
    _cjk_pdf(path, font)
    text = read_document(path).text
    assert "本项目预算资金8684万元，执行率96.4%。" in text
    assert "二、存在问题" in text


def _line(text: str, x0: float, x1: float, top: float) -> dict:
    return {"text": text, "x0": x0, "x1": x1, "top": top, "bottom": top + 12}


def test_wrapped_line_groups() -> None:
    from jixiao.io.readers import _wrapped_line_groups

    lines = [
        _line("　　一是健全综合内控制度，从组织机构、业务运行", 72, 520, 100),  # indented, full
        _line("等方面规范工作流程。", 48, 200, 116),  # continues, short: paragraph ends
        _line("　　二是切实抓好专项治理，全年追回基金", 72, 521, 132),  # new paragraph (indent)
        _line("1. 基金扩面征缴难度大。", 48, 190, 148),  # list marker: not a continuation
        _line("短标题", 48, 100, 180),
        _line("正文", 48, 80, 196),  # previous line is short: not a continuation
    ]
    groups = [[ln["text"][:4] for ln in g] for g in _wrapped_line_groups(lines, page_width=595)]
    assert groups == [["　　一是", "等方面规"], ["　　二是"], ["1. 基"], ["短标题"], ["正文"]]


# ------------------------------------------------------------------------------------------
# stdin


def test_read_stdin_text_and_pdf(tmp_path: Path) -> None:
    raw = read_stdin(io.BytesIO(REPORT.encode("gbk")))
    assert raw.text == EXPECTED and raw.encoding == "gb18030" and raw.source == "<stdin>"
    assert raw.doc_id == "stdin-" + raw.sha256[:16]
    pdf = tmp_path / "x.pdf"
    _latin_pdf(pdf)
    raw = read_stdin(io.BytesIO(pdf.read_bytes()))
    assert raw.fmt == "pdf" and "Insured persons\t12732\t13701" in raw.text


# ------------------------------------------------------------------------------------------
# inputs


def _tree(root: Path) -> None:
    (root / "a" / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for rel in ("z.txt", "a/y.md", "a/b/x.docx", "a/b/w.PDF", "a/notes.json", "a/~$lock.docx",
                "a/.secret.txt", ".hidden/v.txt"):
        (root / rel).write_text("x", encoding="utf-8")


def test_iter_inputs_directory_recursive_sorted_filtered(tmp_path: Path) -> None:
    _tree(tmp_path)
    got = [p.relative_to(tmp_path).as_posix() for p in iter_inputs([str(tmp_path)])]
    assert got == ["a/b/w.PDF", "a/b/x.docx", "a/y.md", "z.txt"]


def test_iter_inputs_globs_files_stdin_and_dedup(tmp_path: Path) -> None:
    _tree(tmp_path)
    specs = [str(tmp_path / "**" / "*.docx"), "-", str(tmp_path / "a" / "b" / "x.docx"), str(tmp_path / "a" / "notes.json")]
    got = list(iter_inputs(specs))
    assert got[0] == tmp_path / "a" / "b" / "x.docx"
    assert got[1] == "-"
    assert got[2] == tmp_path / "a" / "notes.json"  # named explicitly: kept, reported when read
    assert len(got) == 3  # x.docx only once


@pytest.mark.parametrize("spec", ["missing_dir/report.txt", "nothing/**/*.pdf"])
def test_iter_inputs_spec_matching_nothing_is_a_usage_error(tmp_path: Path, spec: str) -> None:
    (tmp_path / "a.txt").write_text("好", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        iter_inputs([str(tmp_path / "a.txt"), str(tmp_path / spec)])
    assert err.value.code == "E130" and err.value.exit_code == 2
    assert spec.split("/")[0] in str(err.value)


def test_iter_inputs_rejects_bad_specs_before_yielding(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("好", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="holds no"):
        iter_inputs([str(tmp_path / "ok.txt"), str(tmp_path / "empty")])
    with pytest.raises(UsageError) as err:
        iter_inputs(["-", "-"])
    assert err.value.code == "E131"
