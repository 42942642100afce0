import ImagoMedia
import Foundation

/// One colour of a theme: an exact 24-bit colour, one of the terminal's 16 palette colours, or
/// the terminal's own default. Palette colours and the default are kept symbolic (not turned into
/// RGB) so the terminal draws them with the palette its user chose.
public enum ThemeColor: Sendable, Hashable, CustomStringConvertible {
    /// The terminal's default foreground or background (SGR 39 / 49).
    case terminalDefault
    /// One of the 16 ANSI palette colours (SGR 30–37, 90–97 and their backgrounds).
    case ansi(ANSIColor)
    /// An exact colour, drawn with 24-bit SGR (38;2;r;g;b / 48;2;r;g;b).
    case rgb(r: UInt8, g: UInt8, b: UInt8)

    /// Reads one colour as written in a theme file: `#rrggbb`, `rgb(r, g, b)`, an ANSI colour
    /// name such as `bright-red`, or `default`. Letters may be in either case; nil if none fits.
    public init?(parsing text: some StringProtocol) {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        if text == "default" {
            self = .terminalDefault
        } else if let color = ANSIColor(name: text) {
            self = .ansi(color)
        } else if text.hasPrefix("#") {
            guard let (r, g, b) = Self.parseHex(text.dropFirst()) else { return nil }
            self = .rgb(r: r, g: g, b: b)
        } else if text.hasPrefix("rgb(") && text.hasSuffix(")") {
            guard let (r, g, b) = Self.parseComponents(text.dropFirst(4).dropLast()) else { return nil }
            self = .rgb(r: r, g: g, b: b)
        } else {
            return nil
        }
    }

    /// The canonical spelling in a theme file: `default`, the ANSI name, or lowercase `#rrggbb`.
    public var description: String {
        switch self {
        case .terminalDefault:
            return "default"
        case .ansi(let color):
            return color.name
        case .rgb(let r, let g, let b):
            return "#" + [r, g, b].map { byte in
                let digits = String(byte, radix: 16)
                return digits.count == 1 ? "0" + digits : digits
            }.joined()
        }
    }

    /// SGR parameters that set this colour as the text colour, e.g. `38;2;255;0;0`, `91` or `39`.
    public var foregroundSGR: String {
        switch self {
        case .terminalDefault:
            return "39"
        case .ansi(let color):
            return String(color.rawValue < 8 ? 30 + Int(color.rawValue) : 90 + Int(color.rawValue) - 8)
        case .rgb(let r, let g, let b):
            return "38;2;\(r);\(g);\(b)"
        }
    }

    /// SGR parameters that set this colour as the cell background, e.g. `48;2;0;0;0`, `101` or `49`.
    public var backgroundSGR: String {
        switch self {
        case .terminalDefault:
            return "49"
        case .ansi(let color):
            return String(color.rawValue < 8 ? 40 + Int(color.rawValue) : 100 + Int(color.rawValue) - 8)
        case .rgb(let r, let g, let b):
            return "48;2;\(r);\(g);\(b)"
        }
    }

    private static func parseHex(_ digits: Substring) -> (UInt8, UInt8, UInt8)? {
        guard digits.count == 6, digits.allSatisfy(\.isHexDigit),
              let value = UInt32(digits, radix: 16) else { return nil }
        return (UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }

    private static func parseComponents(_ list: Substring) -> (UInt8, UInt8, UInt8)? {
        let parts = list.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        // UInt8(_:) alone would accept "+1"; only plain decimal digits are a component.
        guard parts.count == 3,
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isASCIIDigit) }),
              let r = UInt8(parts[0]), let g = UInt8(parts[1]), let b = UInt8(parts[2]) else { return nil }
        return (r, g, b)
    }
}

/// The 16 colours of the terminal palette, numbered as SGR numbers them (0–7 normal, 8–15 bright).
public enum ANSIColor: UInt8, CaseIterable, Sendable {
    case black, red, green, yellow, blue, magenta, cyan, white
    case brightBlack, brightRed, brightGreen, brightYellow, brightBlue, brightMagenta, brightCyan, brightWhite

    /// The name used in theme files: `red`, `bright-red`, …
    public var name: String {
        let base = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"][Int(rawValue % 8)]
        return rawValue < 8 ? base : "bright-" + base
    }

    /// The colour with this theme-file name, or nil.
    public init?(name: String) {
        guard let color = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = color
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
