import CGDAL
import Foundation

/// A picture encoded as PNG by GDAL (an in-memory raster copied to the PNG driver under
/// `/vsimem/`): the report's map of a province is a picture, not a path of every zone's vertex.
public enum PNGImage {
    /// The PNG bytes of `rgba`: `width × height` pixels, four bytes each (red, green, blue,
    /// alpha), rows from the top.
    public static func encode(rgba: [UInt8], width: Int, height: Int) throws(GDALError) -> [UInt8] {
        precondition(width > 0 && height > 0 && rgba.count == width * height * 4, "four bytes per pixel")
        GDALEnvironment.initialize()
        let memory = try gdalNonNull("GDALGetDriverByName", context: "MEM") { GDALGetDriverByName("MEM") }
        let png = try gdalNonNull("GDALGetDriverByName", context: "PNG") { GDALGetDriverByName("PNG") }
        CPLErrorReset()
        let source = try gdalNonNull("GDALCreate", context: "the report's map") {
            GDALCreate(memory, "", Int32(width), Int32(height), 4, GDT_Byte, nil)
        }
        defer { GDALClose(source) }
        var pixels = rgba
        for band in 0..<4 {
            CPLErrorReset()
            let result = pixels.withUnsafeMutableBytes { raw in
                GDALRasterIO(GDALGetRasterBand(source, Int32(band + 1)), GF_Write, 0, 0, Int32(width), Int32(height),
                             raw.baseAddress! + band, Int32(width), Int32(height), GDT_Byte, 4, Int32(4 * width))
            }
            guard result == CE_None else { throw GDALError.last("GDALRasterIO", context: "the report's map") }
        }
        let path = "/vsimem/irrizone-map-\(UUID().uuidString).png"
        guard let copy = GDALCreateCopy(png, path, source, 0, nil, nil, nil) else {
            let error = GDALError.last("GDALCreateCopy", context: path)
            VSIUnlink(path)  // what the driver wrote before it failed
            throw error
        }
        GDALClose(copy)
        var length: vsi_l_offset = 0
        guard let buffer = VSIGetMemFileBuffer(path, &length, 1) else { throw GDALError.last("VSIGetMemFileBuffer", context: path) }
        defer { VSIFree(buffer) }
        return Array(UnsafeBufferPointer(start: buffer, count: Int(length)))
    }
}
