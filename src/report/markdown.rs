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
                    text.push_str(&format!("![{}](figures/{})\n", figure.caption, figure.file));
                }
            }
        }
    }
    text
}
