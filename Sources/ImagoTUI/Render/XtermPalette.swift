import ImagoMedia
/// xterm's colour palettes and the nearest-colour mapping used for the 256- and 16-colour modes.
///
/// "Nearest" is the plain squared distance in RGB, (Δr)² + (Δg)² + (Δb)², with no perceptual weighting:
/// it is what xterm and tmux use to downsample, cheap enough per pixel, and a weighting buys little for video.
public enum XtermPalette {
    /// The channel levels of the 6×6×6 cube at indices 16–231 (index = 16 + 36·r + 6·g + b).
    public static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// xterm's default values of the 16 ANSI colours: black, red, green, yellow, blue, magenta, cyan, white,
    /// then their bright forms. The user's theme may differ; these are the best guess a program can make.
    public static let ansi16: [RGB] = [
        RGB(r: 0, g: 0, b: 0), RGB(r: 205, g: 0, b: 0), RGB(r: 0, g: 205, b: 0), RGB(r: 205, g: 205, b: 0),
        RGB(r: 0, g: 0, b: 238), RGB(r: 205, g: 0, b: 205), RGB(r: 0, g: 205, b: 205), RGB(r: 229, g: 229, b: 229),
        RGB(r: 127, g: 127, b: 127), RGB(r: 255, g: 0, b: 0), RGB(r: 0, g: 255, b: 0), RGB(r: 255, g: 255, b: 0),
        RGB(r: 92, g: 92, b: 255), RGB(r: 255, g: 0, b: 255), RGB(r: 0, g: 255, b: 255), RGB(r: 255, g: 255, b: 255),
    ]

    /// The colour xterm shows by default for a 256-colour index: 0–15 the ANSI colours, 16–231 the cube,
    /// 232–255 the greys 8, 18, …, 238.
    public static func color256(_ index: UInt8) -> RGB {
        switch index {
        case 0..<16:
            return ansi16[Int(index)]
        case 16..<232:
            let i = Int(index) - 16
            return RGB(r: cubeLevels[i / 36], g: cubeLevels[i / 6 % 6], b: cubeLevels[i % 6])
        default:
            let level = UInt8(8 + 10 * (Int(index) - 232))
            return RGB(r: level, g: level, b: level)
        }
    }

    /// The nearest 256-colour index among the cube (16–231) and the greys (232–255); never 0–15, whose
    /// values the user's theme changes. Ties go to the lower index (so the cube before a grey).
    public static func nearest256(_ c: RGB) -> UInt8 {
        let r = Int(c.r), g = Int(c.g), b = Int(c.b)
        // The cube is a product of per-channel levels, so its nearest point is the nearest level per channel.
        let ri = nearestCubeStep(r), gi = nearestCubeStep(g), bi = nearestCubeStep(b)
        let cr = Int(cubeLevels[ri]), cg = Int(cubeLevels[gi]), cb = Int(cubeLevels[bi])
        let cubeDistance = square(r - cr) + square(g - cg) + square(b - cb)
        // The nearest grey to a colour is the grey level nearest its mean: k = round((mean - 8) / 10), halves
        // rounded down (to the lower index, like every other tie).
        let k = min(23, max(0, (r + g + b - 10) / 30))
        let level = 8 + 10 * k
        let greyDistance = square(r - level) + square(g - level) + square(b - level)
        if greyDistance < cubeDistance { return UInt8(232 + k) }
        return UInt8(16 + 36 * ri + 6 * gi + bi)
    }

    /// The nearest of the 16 ANSI colours (by xterm's default values); a tie goes to the lower index.
    public static func nearest16(_ c: RGB) -> UInt8 {
        let r = Int(c.r), g = Int(c.g), b = Int(c.b)
        var best = 0
        var bestDistance = Int.max
        ansi16Channels.withUnsafeBufferPointer { channels in
            for i in 0..<16 {
                let d = square(r - channels[3 * i]) + square(g - channels[3 * i + 1]) + square(b - channels[3 * i + 2])
                if d < bestDistance {
                    best = i
                    bestDistance = d
                }
            }
        }
        return UInt8(best)
    }

    /// `ansi16` as flat R, G, B integers: the per-pixel search in 16-colour mode reads these.
    private static let ansi16Channels: [Int] = ansi16.flatMap { [Int($0.r), Int($0.g), Int($0.b)] }

    /// The cube step (0–5) whose level is nearest `v`; a tie (e.g. 115, between 95 and 135) goes to the lower.
    @inline(__always)
    static func nearestCubeStep(_ v: Int) -> Int {
        // Midpoints between the levels 0, 95, 135, 175, 215, 255.
        if v < 48 { return 0 }
        if v <= 115 { return 1 }
        if v <= 155 { return 2 }
        if v <= 195 { return 3 }
        if v <= 235 { return 4 }
        return 5
    }

    @inline(__always)
    private static func square(_ x: Int) -> Int { x * x }
}
