import ArgumentParser
import Foundation
import Pipeline

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a commented project-file template (project.yaml) into DIR.")

    @Argument(help: "Folder to write project.yaml into (created if missing).")
    var directory: String

    @Flag(help: "Replace an existing project.yaml.")
    var force = false

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = (directory as NSString).appendingPathComponent("project.yaml")
        if FileManager.default.fileExists(atPath: path) && !force {
            throw ValidationError("\(path) exists; pass --force to replace it")
        }
        try ProjectTemplate.text.write(toFile: path, atomically: true, encoding: .utf8)
        printError("wrote \(path); fill in the paths and run: irrizone assess --project \(path)")
    }
}
