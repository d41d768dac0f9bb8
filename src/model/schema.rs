//! What a model-backed specialist asks: its prompt (`fixtures/prompts/`) and the strict JSON
//! schema of its answer, built from the SPEC's own id lists so a schema never drifts from the
//! vocabulary the rest of the code checks against.

use serde_json::{json, Value};

use crate::brief::{Objective, CONTEXT_IDS, GENRE_IDS, INTEREST_IDS, PODCAST_TOPIC_IDS};
use crate::understand::Specialist;

const COMMON: &str = include_str!("../../fixtures/prompts/common.md");
const GOAL: &str = include_str!("../../fixtures/prompts/goal.md");
const AUDIENCE: &str = include_str!("../../fixtures/prompts/audience.md");
const BUDGET: &str = include_str!("../../fixtures/prompts/budget.md");
const SCHEDULE: &str = include_str!("../../fixtures/prompts/schedule.md");
const FORMATS: &str = include_str!("../../fixtures/prompts/formats.md");

/// The system prompt of a specialist: the shared rules, then its own part.
pub fn prompt(s: Specialist) -> String {
    let own = match s {
        Specialist::Goal => GOAL,
        Specialist::Audience => AUDIENCE,
        Specialist::Budget => BUDGET,
        Specialist::Schedule => SCHEDULE,
        Specialist::Formats => FORMATS,
    };
    format!("{COMMON}\n{own}")
}

fn nullable(kind: &str) -> Value {
    json!({"type": [kind, "null"]})
}

fn ids(list: &[&str]) -> Value {
    json!({"type": "array", "items": {"type": "string", "enum": list}})
}

fn object(properties: Value) -> Value {
    let required: Vec<String> = properties.as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

/// The strict schema of a specialist's answer: one key, the specialist's part of the brief.
pub fn schema(s: Specialist) -> Value {
    let part = match s {
        Specialist::Goal => {
            let objectives: Vec<Value> =
                Objective::ALL.iter().map(|o| Value::from(o.id())).chain([Value::Null]).collect();
            json!({"objective": {"type": ["string", "null"], "enum": objectives}})
        }
        Specialist::Audience => json!({"audience": object(json!({
            "age_min": nullable("integer"),
            "age_max": nullable("integer"),
            "genders": ids(&["FEMALE", "MALE", "NON_BINARY"]),
            "locations": {"type": "array", "items": object(json!({
                "country": {"type": "string"},
                "region": nullable("string"),
                "city": nullable("string"),
            }))},
            "interests": ids(&INTEREST_IDS),
            "genres": ids(&GENRE_IDS),
            "contexts": ids(&CONTEXT_IDS),
            "podcast_topics": ids(&PODCAST_TOPIC_IDS),
            "languages": {"type": "array", "items": {"type": "string"}},
            "platforms": ids(&["IOS", "ANDROID", "DESKTOP"]),
        }))}),
        Specialist::Budget => json!({"budget": {"anyOf": [object(json!({
            "amount": {"type": "number"},
            "currency": {"type": "string"},
            "type": {"type": "string", "enum": ["LIFETIME", "DAILY"]},
            "min": nullable("number"),
            "approximate": {"type": "boolean"},
        })), {"type": "null"}]}}),
        Specialist::Schedule => json!({"schedule": object(json!({
            "start": nullable("string"),
            "end": nullable("string"),
            "days": nullable("integer"),
        }))}),
        Specialist::Formats => json!({"formats": object(json!({
            "include": ids(&["AUDIO", "VIDEO", "IMAGE"]),
            "exclude": ids(&["AUDIO", "VIDEO", "IMAGE"]),
            "max_share": {"type": "array", "items": object(json!({
                "format": {"type": "string", "enum": ["AUDIO", "VIDEO", "IMAGE"]},
                "share": {"type": "number"},
            }))},
            "placements": ids(&["MUSIC", "PODCAST"]),
        }))}),
    };
    object(part)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_specialist_has_a_prompt_and_a_strict_one_key_schema() {
        for s in Specialist::ALL {
            assert!(prompt(s).len() > 200, "{}", s.name());
            let schema = schema(s);
            assert_eq!(schema["additionalProperties"], false);
            let required = schema["required"].as_array().expect("required");
            assert_eq!(required.len(), 1, "{}", s.name());
        }
        assert!(schema(Specialist::Audience).to_string().contains("\"technology-and-computing\""));
    }
}
