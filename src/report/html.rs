//! The report as one self-contained HTML page: inline CSS, inline SVG figures, no scripts and
//! nothing fetched from the network.

use super::{Block, Report};
use crate::output::{Kind, Table};
use crate::render::{human_cell, human_columns};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d1d1f;margin:0;background:#fafafa}
main{max-width:960px;margin:0 auto;padding:2rem 1.5rem;background:#fff}
h1{font-size:1.8rem;margin-bottom:.3rem}h2{margin-top:2.5rem;border-bottom:1px solid #ddd;padding-bottom:.3rem}
.preamble{color:#555;font-size:.9rem;padding-left:1.2rem}
nav{margin:1rem 0;font-size:.95rem}nav a{margin-right:.8rem}
table{border-collapse:collapse;margin:.5rem 0 1.2rem;font-size:.85rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{padding:.25rem .6rem;border-bottom:1px solid #e5e5e5}th{background:#f3f3f3;text-align:left}
td.num,th.num{text-align:right}
.table-wrap{overflow-x:auto}
figure{margin:1rem 0}figure svg{max-width:100%;height:auto}figcaption{font-size:.85rem;color:#555}
.warning{background:#fff4e5;border-left:4px solid #f0a030;padding:.5rem .8rem;margin:.5rem 0;font-size:.9rem}
.files{font-size:.8rem;color:#555}
";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The report as one HTML page: the title and preamble, links to the sections, then each
/// section's blocks.
pub fn to_html(report: &Report) -> String {
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<ul class=\"preamble\">\n",
        escape(&report.title),
        escape(&report.title)
    );
    for line in &report.preamble {
        html.push_str(&format!("<li>{}</li>\n", escape(line)));
    }
    html.push_str("</ul>\n<nav>");
    for section in &report.sections {
        html.push_str(&format!(
            "<a href=\"#{}\">{}</a>",
            section.id,
            escape(&section.title)
        ));
    }
    html.push_str("</nav>\n");
    for section in &report.sections {
        html.push_str(&format!(
            "<section id=\"{}\">\n<h2>{}</h2>\n",
            section.id,
            escape(&section.title)
        ));
        for block in &section.blocks {
            push_block(&mut html, block, report.precision);
        }
        html.push_str("</section>\n");
    }
    html.push_str("</main>\n</body>\n</html>\n");
    html
}

/// Appends one block of a section to `html` (tables rounded to `precision` decimals).
fn push_block(html: &mut String, block: &Block, precision: usize) {
    match block {
        Block::Text(paragraph) => html.push_str(&format!("<p>{}</p>\n", escape(paragraph))),
        Block::List(items) => {
            html.push_str("<ul>\n");
            for item in items {
                html.push_str(&format!("<li>{}</li>\n", escape(item)));
            }
            html.push_str("</ul>\n");
        }
        Block::Warnings(items) => {
            for item in items {
                html.push_str(&format!(
                    "<div class=\"warning\"><strong>Warning:</strong> {}</div>\n",
                    escape(item)
                ));
            }
        }
        Block::Table { table, stem, .. } => push_table(html, table, stem, precision),
        Block::Figure(figure) => {
            // The SVG is inline, so the page needs no other file to show it.
            let svg = figure.svg.trim_start_matches(|c: char| c != '<');
            html.push_str(&format!(
                "<figure>\n{}\n<figcaption>{} (<a href=\"figures/{}\">SVG</a>)</figcaption>\n</figure>\n",
                svg.trim(),
                escape(&figure.caption),
                figure.file
            ));
        }
    }
}

/// Appends `table` to `html`, its caption linking to its files `tables/<stem>.csv` and
/// `.json`, its cells rounded to `precision` decimals.
fn push_table(html: &mut String, table: &Table, stem: &str, precision: usize) {
    let shown = human_columns(table);
    let class = |kind: Kind| {
        if kind == Kind::Text {
            ""
        } else {
            " class=\"num\""
        }
    };
    html.push_str(&format!(
        "<div class=\"table-wrap\"><table>\n<caption>{} <span class=\"files\">(<a href=\"tables/{stem}.csv\">CSV</a>, <a href=\"tables/{stem}.json\">JSON</a>)</span></caption>\n<thead><tr>",
        escape(&table.title)
    ));
    for (_, c) in &shown {
        html.push_str(&format!("<th{}>{}</th>", class(c.kind), escape(&c.label)));
    }
    html.push_str("</tr></thead>\n<tbody>\n");
    for row in &table.rows {
        html.push_str("<tr>");
        for (j, c) in &shown {
            html.push_str(&format!(
                "<td{}>{}</td>",
                class(c.kind),
                escape(&human_cell(&row[*j], c.kind, precision))
            ));
        }
        html.push_str("</tr>\n");
    }
    html.push_str("</tbody>\n</table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn html_is_escaped() {
        assert_eq!(escape("a < b & \"c\""), "a &lt; b &amp; &quot;c&quot;");
    }
}
