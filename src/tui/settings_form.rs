//! The settings popup's form: one row per setting, edited as text and
//! validated on every keystroke, so a mistake shows before it is saved. The
//! form owns its rows and its keys; `App` applies and saves what it commits,
//! since the settings are shared by every view.

use crate::catalog::Catalog;
use crate::rules::address::Address;
use crate::rules::settings::{Settings, SettingsError};
use crate::text::check_plain;
use crate::tui::action::Action;
use crate::tui::text_input::{Edit, TextInput};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Group,
    Profile,
    IncludeDynamic,
    /// Outbound rules on every source (`--outbound`).
    Outbound,
    /// Rules of peers without addresses open to any (`--any-for-missing`).
    AnyForMissing,
    /// A setup port, by key.
    Port(String),
    /// Remote addresses of a component, by id.
    Remote(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub field: Field,
    pub label: String,
    /// The value as text; empty means the default.
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsForm {
    pub rows: Vec<Row>,
    pub selected: usize,
    /// The text being typed into the selected row, while editing.
    pub editing: Option<TextInput>,
    /// What is wrong with the text being typed, or with the last save.
    pub error: Option<String>,
    /// Why what is applied here is not saved, when it is not (the settings
    /// come from a deployment file): shown under the rows.
    pub session_only: Option<String>,
}

/// Where a key left the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormOutcome {
    /// Still open.
    Open,
    /// Closed (Esc while not editing).
    Closed,
    /// A new value for the selected row, to check with [`SettingsForm::commit`].
    Commit(String),
}

impl SettingsForm {
    pub fn new(catalog: &Catalog, settings: &Settings) -> Self {
        let mut rows = vec![
            Row {
                field: Field::Group,
                label: "group".into(),
                value: settings.group.clone(),
            },
            Row {
                field: Field::Profile,
                label: "profile".into(),
                value: settings.profiles_text(),
            },
            Row {
                field: Field::IncludeDynamic,
                label: "include dynamic RPC range".into(),
                value: yes_no(settings.include_dynamic),
            },
            Row {
                field: Field::Outbound,
                label: "outbound rules on sources".into(),
                value: yes_no(settings.outbound),
            },
            Row {
                field: Field::AnyForMissing,
                label: "any address for peers given none".into(),
                value: yes_no(settings.any_for_missing),
            },
        ];
        for feature in &catalog.setup_features {
            rows.push(Row {
                field: Field::Port(feature.key.clone()),
                label: format!("port {} (default {})", feature.key, feature.default),
                value: settings
                    .ports
                    .get(&feature.key)
                    .map(u16::to_string)
                    .unwrap_or_default(),
            });
        }
        // A service that runs on another machine has that machine's
        // addresses, none of its own.
        for component in catalog.components.iter().filter(|c| c.runs_on.is_none()) {
            rows.push(Row {
                field: Field::Remote(component.id.clone()),
                label: format!("addresses of {}", component.id),
                value: settings
                    .remote
                    .get(&component.id)
                    .map(|a| a.join(","))
                    .unwrap_or_default(),
            });
        }
        SettingsForm {
            rows,
            selected: 0,
            editing: None,
            error: None,
            session_only: None,
        }
    }

    /// Keys while the form is open: move between rows, Enter to edit (or
    /// toggle) and again to apply, Esc to cancel an edit or close. `catalog`
    /// is the catalog as loaded, to validate as typed.
    pub fn update(&mut self, action: Action, catalog: &Catalog) -> FormOutcome {
        match (action, self.editing.is_some()) {
            (Action::Down, false) => {
                self.selected = (self.selected + 1).min(self.rows.len().saturating_sub(1))
            }
            (Action::Up, false) => self.selected = self.selected.saturating_sub(1),
            (Action::Back, true) => {
                self.editing = None;
                self.error = None;
            }
            (Action::Back, false) => return FormOutcome::Closed,
            (Action::Type(_) | Action::Edit(_), true) => {
                let edit = match action {
                    Action::Type(c) => Edit::Insert(c),
                    Action::Edit(edit) => edit,
                    _ => return FormOutcome::Open,
                };
                if let Some(input) = self.editing.as_mut()
                    && input.apply(edit)
                {
                    let text = input.text().to_string();
                    self.error = self.settings_with(catalog, &text).err();
                }
            }
            (Action::Confirm, false) => {
                let row = &self.rows[self.selected];
                if row.field.is_toggle() {
                    let flipped = if row.value == "yes" { "no" } else { "yes" };
                    return FormOutcome::Commit(flipped.to_string());
                }
                self.editing = Some(TextInput::prefilled(row.value.clone()));
                self.error = None;
            }
            (Action::Confirm, true) => {
                let text = self
                    .editing
                    .as_ref()
                    .map(|input| input.text().to_string())
                    .unwrap_or_default();
                return FormOutcome::Commit(text);
            }
            _ => {}
        }
        FormOutcome::Open
    }

    /// Puts `text` into the selected row if the whole form is then valid, and
    /// returns the settings to apply; otherwise says why in `error`.
    pub fn commit(&mut self, catalog: &Catalog, text: String) -> Option<Settings> {
        match self.settings_with(catalog, &text) {
            Ok(settings) => {
                self.rows[self.selected].value = text;
                self.editing = None;
                self.error = None;
                Some(settings)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }

    /// The settings the form describes, with `text` in place of the selected
    /// row's value; errors say what is wrong with that row.
    pub fn settings_with(&self, catalog: &Catalog, text: &str) -> Result<Settings, String> {
        let mut settings = Settings::default();
        for (i, row) in self.rows.iter().enumerate() {
            let value = if i == self.selected {
                text
            } else {
                row.value.as_str()
            };
            apply(&mut settings, catalog, &row.field, value.trim())
                .map_err(|e| format!("{}: {}", row.label, e))?;
        }
        settings
            .check(catalog)
            .map_err(|e: SettingsError| format!("{} ({})", e.message, e.hint))?;
        Ok(settings)
    }
}

impl Field {
    /// A yes/no setting, flipped by Enter rather than typed.
    pub fn is_toggle(&self) -> bool {
        matches!(
            self,
            Field::IncludeDynamic | Field::Outbound | Field::AnyForMissing
        )
    }
}

fn yes_no(on: bool) -> String {
    if on { "yes" } else { "no" }.into()
}

fn is_yes(value: &str) -> bool {
    matches!(value, "yes" | "y" | "true" | "on")
}

fn apply(
    settings: &mut Settings,
    catalog: &Catalog,
    field: &Field,
    value: &str,
) -> Result<(), String> {
    match field {
        Field::Group => {
            check_plain("the group", value)?;
            settings.group = value.to_string();
        }
        Field::Profile => {
            settings.profiles = Settings::parse_profiles(value).map_err(|e| e.message)?
        }
        Field::IncludeDynamic => settings.include_dynamic = is_yes(value),
        Field::Outbound => settings.outbound = is_yes(value),
        Field::AnyForMissing => settings.any_for_missing = is_yes(value),
        Field::Port(key) if !value.is_empty() => settings
            .set_port(catalog, &format!("{key}={value}"))
            .map_err(|e| e.message)?,
        Field::Remote(id) if !value.is_empty() => {
            for address in value.split(',') {
                Address::parse(address)?;
            }
            settings.remote.insert(
                id.clone(),
                value.split(',').map(|a| a.trim().to_string()).collect(),
            );
        }
        Field::Port(_) | Field::Remote(_) => {}
    }
    Ok(())
}
