//! JSON (one object: metadata plus every table at full precision) and NDJSON (one object per
//! row of the primary table).

use super::Renderer;
use crate::output::{Output, Table, Value};
use anyhow::Result;
use serde_json::{json, Map, Value as Json};

pub struct JsonRenderer;
pub struct NdjsonRenderer;

fn cell(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Int(i) => json!(i),
        // Renderers only ever see finite floats (see output::frame); `+ 0.0` drops a -0 sign.
        Value::Float(x) => json!(x + 0.0),
        Value::Text(s) => json!(s),
        Value::Bool(b) => json!(b),
    }
}

fn row_object(table: &Table, row: &[Value]) -> Json {
    let object: Map<String, Json> = table
        .columns
        .iter()
        .zip(row)
        .map(|(c, v)| (c.key.clone(), cell(v)))
        .collect();
    Json::Object(object)
}

fn rows(table: &Table) -> Json {
    Json::Array(table.rows.iter().map(|r| row_object(table, &r)).collect())
}

impl Renderer for JsonRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut object = Map::new();
        object.insert("meta".to_string(), serde_json::to_value(&output.meta)?);
        for table in &output.tables {
            object.insert(table.key.clone(), rows(table));
        }
        let mut bytes = serde_json::to_vec_pretty(&Json::Object(object))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

impl Renderer for NdjsonRenderer {
    fn render(&self, output: &Output) -> Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.render_to(output, &mut bytes)?;
        Ok(bytes)
    }

    fn render_to(&self, output: &Output, out: &mut dyn std::io::Write) -> Result<()> {
        if let Some(table) = output.tables.first() {
            for row in &table.rows {
                // As an I/O error, so that a closed pipe is recognised as one.
                serde_json::to_writer(&mut *out, &row_object(table, &row))
                    .map_err(std::io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        Ok(())
    }
}
