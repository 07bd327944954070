import ArgumentParser
import Foundation
import IrrigationModel
import Pipeline
import Reports

struct Standards: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the effective limits (after overrides) with source and confidence.")

    @Option(help: "Only this standard (e.g. GB5084-2021, GB20922-2007, GB15618-2018, GB/T14848-2017).")
    var standard: String?

    @Option(name: .customLong("crop-class"), help: "Only the limits that apply to this crop class.")
    var cropClass: String?

    @Option(name: .customLong("standards-override"), help: "Province override file (YAML); repeatable.")
    var standardsOverride: [String] = []

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let listing = try StandardsListing.make(overrides: standardsOverride, standard: standard, cropClass: cropClass.map { name in
            guard let value = CropClass(rawValue: name) else { throw ValidationError("--crop-class must be one of \(CropClass.allCases.map(\.rawValue).joined(separator: ", "))") }
            return value
        })
        print(json ? try listing.json() : listing.text)
    }
}

struct Crops: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the crop catalog: names, class, policy tier, standard columns.")

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let catalog = try CropCatalog.bundled()
        if json {
            let rows = catalog.crops.map { entry -> [String: Any] in
                let policy = catalog.policy(entry.cropClass)
                return ["names": entry.names, "class": entry.cropClass.rawValue, "tier": policy.tier?.rawValue ?? NSNull(),
                        "gb5084": policy.gb5084 ?? NSNull(), "gb20922": policy.gb20922 ?? NSNull(), "gb15618_land_use": policy.soilLandUse.rawValue,
                        "boron": entry.boron?.rawValue ?? NSNull(), "salt_tolerance": entry.salt ?? NSNull()]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self))
            return
        }
        print("crop catalog \(catalog.version)")
        for cropClass in CropClass.allCases {
            let policy = catalog.policy(cropClass)
            print("\n\(cropClass.rawValue) (\(policy.zh)): tier \(policy.tier?.rawValue ?? "—"), GB 5084 \(policy.gb5084 ?? "strictest"), GB 20922 \(policy.gb20922 ?? "strictest"), GB 15618 \(policy.soilLandUse.rawValue)")
            print("  source: \(policy.source)")
            for entry in catalog.crops where entry.cropClass == cropClass {
                var line = "  " + entry.names.joined(separator: " / ")
                if let boron = entry.boron { line += "  [boron \(boron.rawValue)]" }
                if let salt = entry.salt { line += "  [salt: \(salt)]" }
                print(line)
            }
        }
        print("\n三调 land-use codes when no crop is given: " + catalog.landUseCodes.map { "\($0.prefix) \($0.name) → \($0.cropClass.rawValue)" }.joined(separator: "; "))
        print("  source: \(catalog.landUseSource)")
    }
}

struct Fields: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print every output file's fields (name, kind, null, meaning) and every code with its meaning, as Markdown.")

    func run() throws { print(OutputSchema.markdown(), terminator: "") }
}
