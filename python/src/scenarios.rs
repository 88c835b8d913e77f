//! Scenarios from Python: a path to a scenario TOML file, or a dict with the
//! same keys (a list of dicts is a list of named scenarios).

use std::path::{Path, PathBuf};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use waterfall::scenario::ScenarioSet;

use crate::to_py_err;

/// Where a scenario came from, read but not yet parsed: parsing happens
/// without the GIL.
pub enum Source {
    File(PathBuf),
    /// A dict turned into the TOML text a file would hold.
    Text(String),
}

/// The name a dict's scenarios carry in messages.
pub const DICT_NAME: &str = "<scenario dict>";

impl Source {
    pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Self> {
        if let Ok(d) = obj.cast::<PyDict>() {
            let table = table(d, "")?;
            return Ok(Source::Text(toml_text(&table)?));
        }
        if let Ok(l) = obj.cast::<PyList>() {
            let mut list = Vec::new();
            for (i, item) in l.iter().enumerate() {
                let d = item.cast::<PyDict>().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "scenario {}: a list of scenarios holds dicts, found {}",
                        i + 1,
                        type_name(&item)
                    ))
                })?;
                list.push(toml::Value::Table(table(d, "")?));
            }
            let mut t = toml::Table::new();
            t.insert("name".into(), toml::Value::String("list".into()));
            t.insert("scenario".into(), toml::Value::Array(list));
            return Ok(Source::Text(toml_text(&t)?));
        }
        let path: PathBuf = obj.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "scenarios are a path to a scenario file, a dict or a list of dicts, found {}",
                type_name(obj)
            ))
        })?;
        Ok(Source::File(path))
    }

    /// Parse and validate (no GIL needed).
    pub fn load(&self) -> waterfall::Result<ScenarioSet> {
        match self {
            Source::File(p) => ScenarioSet::load(p),
            Source::Text(t) => ScenarioSet::from_text(Path::new(DICT_NAME), t),
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".into())
}

fn toml_text(t: &toml::Table) -> PyResult<String> {
    toml::to_string(t).map_err(|e| to_py_err(waterfall::Error::Usage(format!("{DICT_NAME}: {e}"))))
}

fn table(d: &Bound<'_, PyDict>, at: &str) -> PyResult<toml::Table> {
    let mut t = toml::Table::new();
    for (k, v) in d.iter() {
        let key: String = k.extract().map_err(|_| {
            PyTypeError::new_err(format!(
                "scenario keys are strings, found {}{}",
                type_name(&k),
                where_(at)
            ))
        })?;
        let here = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        if v.is_none() {
            // None leaves the key out, as if not written.
            continue;
        }
        t.insert(key, value(&v, &here)?);
    }
    Ok(t)
}

fn where_(at: &str) -> String {
    if at.is_empty() {
        String::new()
    } else {
        format!(" in {at}")
    }
}

/// A Python value as TOML: str, bool, int, float, list/tuple, dict; any
/// other value (a `decimal.Decimal`) as its `str()`, which is how scenario
/// files write amounts.
fn value(v: &Bound<'_, PyAny>, at: &str) -> PyResult<toml::Value> {
    if v.is_instance_of::<PyBool>() {
        return Ok(toml::Value::Boolean(v.extract()?));
    }
    if v.is_instance_of::<PyInt>() {
        let i: i64 = v.extract().map_err(|_| {
            PyTypeError::new_err(format!("{at}: the integer does not fit in 64 bits"))
        })?;
        return Ok(toml::Value::Integer(i));
    }
    if v.is_instance_of::<PyFloat>() {
        // Refused where an amount is expected, as in a file: write "0.35"
        // or Decimal("0.35").
        return Ok(toml::Value::Float(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        return Ok(toml::Value::String(v.extract()?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        return Ok(toml::Value::Table(table(d, at)?));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            out.push(value(&item?, &format!("{at}[{i}]"))?);
        }
        return Ok(toml::Value::Array(out));
    }
    let module: String = v
        .get_type()
        .getattr("__module__")
        .and_then(|m| m.extract())
        .unwrap_or_default();
    if module == "decimal" {
        return Ok(toml::Value::String(v.str()?.to_string()));
    }
    Err(PyTypeError::new_err(format!(
        "{at}: a scenario value is a str, bool, int, float, Decimal, list or dict, found {}",
        type_name(v)
    )))
}
