// swift-tools-version:6.0
// swift-capture: the multi-window compositor. CaptureCore is platform-neutral and carries the
// logic (sources, synchronizer, compositors, session); backends are thin: X11 + ffmpeg on Linux,
// ScreenCaptureKit + AVAssetWriter on macOS.
import PackageDescription

var platformTargets: [Target] = []
var platformDeps: [Target.Dependency] = []
var platformTestDeps: [Target.Dependency] = []
#if os(Linux)
platformTargets += [
  .target(
    name: "CX11",
    linkerSettings: [.linkedLibrary("X11"), .linkedLibrary("Xext"), .linkedLibrary("Xcomposite")]
  ),
  .target(name: "CaptureX11", dependencies: ["CaptureCore", "CX11"]),
  // libx264 in-process: the encoder without an ffmpeg child (see CaptureX264).
  .target(name: "CX264", linkerSettings: [.linkedLibrary("x264")]),
  .target(name: "CaptureX264", dependencies: ["CaptureCore", "CX264"]),
  .target(name: "CProcessMemory"),
  // libjpeg-turbo in-process: screenshots without an ffmpeg child.
  .target(name: "CTurboJPEG", linkerSettings: [.linkedLibrary("turbojpeg")]),
  .target(name: "CaptureJPEG", dependencies: ["CaptureCore", "CTurboJPEG"]),
]
platformDeps += ["CaptureX11", "CaptureX264", "CProcessMemory", "CaptureJPEG"]
platformTestDeps += ["CaptureX264", "CaptureJPEG"]
#endif
#if os(macOS)
platformTargets += [.target(name: "CaptureMac", dependencies: ["CaptureCore"])]
platformDeps += ["CaptureMac"]
#endif

let package = Package(
  name: "swift-capture",
  platforms: [.macOS(.v14)],
  products: [.executable(name: "swift-capture", targets: ["swift-capture"])],
  targets: platformTargets + [
    // The compositor's pixel loops are bounds-checked in debug builds only.
    .target(name: "CaptureCore", swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
    .target(name: "CaptureFFmpeg", dependencies: ["CaptureCore"]),
    .target(name: "CaptureProtocol", dependencies: ["CaptureCore"]),
    .target(name: "CaptureTestSupport", dependencies: ["CaptureCore"]),
    .executableTarget(
      name: "swift-capture",
      dependencies: ["CaptureCore", "CaptureFFmpeg", "CaptureProtocol"] + platformDeps,
      swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
    ),
    .testTarget(
      name: "CaptureCoreTests",
      dependencies: ["CaptureCore", "CaptureTestSupport", "CaptureFFmpeg"] + platformTestDeps
    ),
    .testTarget(name: "CaptureProtocolTests", dependencies: ["CaptureProtocol", "CaptureCore"]),
  ],
  swiftLanguageModes: [.v6]
)
