import ArgumentParser
import ImagoConfig

/// Help for a flag that overrides a setting: `text`, then the setting's default from the catalogue (the one
/// place defaults are written), so `--help` and the configuration file can never disagree.
func settingHelp(_ text: String, flag: String, valueName: String) -> ArgumentHelp {
    let defaultText = SettingsCatalog.entry(forFlag: flag)?.defaultText?.trimmingCharacters(in: ["\""])
    return ArgumentHelp(text + (defaultText.map { " (default: \($0))" } ?? ""), valueName: valueName)
}
