//! The report as Markdown: headings, rounded pipe tables, figures linked from `figures/`.

use super::{Block, Report};
use crate::render::markdown::{escape, pipe_table};

pub fn to_markdown(report: &Report) -> String {
    let mut text = format!("# {}\n\n", report.title);
    for line in &report.preamble {
        text.push_str(&format!("- {line}\n"));
    }
    text.push_str("\nContents: ");
    let contents: Vec<String> = report
        .sections
        .iter()
        .map(|s| format!("[{}](#{})", s.title, s.id))
        .collect();
    text.push_str(&contents.join(" · "));
    text.push('\n');
    for section in &report.sections {
        text.push_str(&format!(
            "\n<a id=\"{}\"></a>\n\n## {}\n",
            section.id, section.title
        ));
        for block in &section.blocks {
            text.push('\n');
            match block {
                Block::Text(paragraph) => text.push_str(&format!("{paragraph}\n")),
                Block::List(items) => {
                    for item in items {
                        text.push_str(&format!("- {}\n", escape(item)));
                    }
                }
                Block::Warnings(items) => {
                    for item in items {
                        text.push_str(&format!("> **Warning:** {}\n>\n", escape(item)));
                    }
                }
                Block::Table { table, stem, .. } => {
                    text.push_str(&format!(
                        "**{}** ([CSV](tables/{stem}.csv), [JSON](tables/{stem}.json))\n\n",
                        escape(&table.title)
                    ));
                    text.push_str(&pipe_table(table, report.precision));
                }
                Block::Figure(figure) => {
                    text.push_str(&format!(
                        "![{}](figures/{})\n",
                        alt_text(&figure.caption),
                        figure.file
                    ));
                }
            }
        }
    }
    text
}

/// A caption as an image's alt text: brackets and backslashes in a series name (`a]b`) would
/// otherwise end the text early and break the figure's link.
fn alt_text(caption: &str) -> String {
    let mut out = String::with_capacity(caption.len());
    for c in caption.chars() {
        match c {
            '\\' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::alt_text;

    #[test]
    fn captions_cannot_break_the_image_link() {
        assert_eq!(alt_text("Year-on-year growth"), "Year-on-year growth");
        assert_eq!(alt_text("a]b: x"), "a\\]b: x");
        assert_eq!(alt_text("[a\\b]"), "\\[a\\\\b\\]");
    }
}
