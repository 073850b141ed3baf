from treffpunkt.core.markdown import render_markdown


def test_markdown_renders_basic_formatting():
    html = render_markdown("**fett** und *kursiv*\n\n- eins\n- zwei")

    assert "<strong>fett</strong>" in html
    assert "<em>kursiv</em>" in html
    assert "<li>eins</li>" in html


def test_raw_html_and_scripts_never_survive():
    html = render_markdown('<script>alert(1)</script> <img src=x onerror="alert(1)">')

    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html  # shown as text, harmless


def test_javascript_links_are_removed_and_links_get_rel():
    html = render_markdown("[klick](javascript:alert(1)) [ok](https://example.org)")

    assert 'href="javascript' not in html
    assert 'href="https://example.org"' in html
    assert 'rel="nofollow noopener ugc"' in html
