/// An OLE2 compound file ([MS-CFB] version 3, 512-byte sectors) holding one stream under the root
/// storage: what an `.xls` file is on disk.
///
/// Layout: the stream's sectors, one directory sector, then the FAT sectors. The stream is padded
/// to at least 4,096 bytes, so it lives in regular sectors and no mini stream is needed.
enum CompoundFile {
    static let sectorSize = 512
    static let endOfChain: UInt32 = 0xFFFF_FFFE
    static let freeSector: UInt32 = 0xFFFF_FFFF
    static let fatSector: UInt32 = 0xFFFF_FFFD
    static let noStream: UInt32 = 0xFFFF_FFFF
    static let miniStreamCutoff = 4_096
    /// The header lists at most 109 FAT sectors: streams up to about 6.8 MB.
    static let maximumFATSectors = 109

    static func single(streamNamed name: String, stream: [UInt8]) -> [UInt8] {
        var body = stream
        let size = max(body.count, miniStreamCutoff)
        body += [UInt8](repeating: 0, count: (size + sectorSize - 1) / sectorSize * sectorSize - body.count)
        let streamSectors = body.count / sectorSize
        var fatSectors = 1
        while (streamSectors + 1 + fatSectors) > fatSectors * (sectorSize / 4) { fatSectors += 1 }
        precondition(fatSectors <= maximumFATSectors, "stream too large for a header-only DIFAT")
        let directorySector = streamSectors

        var fat: [UInt32] = []
        for i in 0..<streamSectors { fat.append(i == streamSectors - 1 ? endOfChain : UInt32(i + 1)) }
        fat.append(endOfChain)  // the directory's one sector
        fat += [UInt32](repeating: fatSector, count: fatSectors)
        fat += [UInt32](repeating: freeSector, count: fatSectors * (sectorSize / 4) - fat.count)

        var file = header(fatSectors: fatSectors, firstFATSector: directorySector + 1, directorySector: directorySector)
        file += body
        file += directoryEntry("Root Entry", type: 5, child: 1, start: endOfChain, size: 0)
        file += directoryEntry(name, type: 2, child: noStream, start: 0, size: size)
        file += unusedEntry() + unusedEntry()
        for entry in fat { file.u32(Int(entry)) }
        return file
    }

    static func header(fatSectors: Int, firstFATSector: Int, directorySector: Int) -> [UInt8] {
        var h: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]
        h += [UInt8](repeating: 0, count: 16)  // CLSID
        h.u16(0x003E); h.u16(0x0003); h.u16(0xFFFE); h.u16(9); h.u16(6)
        h += [UInt8](repeating: 0, count: 6)
        h.u32(0)  // directory sectors (always 0 in version 3)
        h.u32(fatSectors)
        h.u32(directorySector)
        h.u32(0)  // transaction signature
        h.u32(miniStreamCutoff)
        h.u32(Int(endOfChain)); h.u32(0)  // no mini FAT
        h.u32(Int(endOfChain)); h.u32(0)  // no DIFAT sectors
        for i in 0..<maximumFATSectors { h.u32(i < fatSectors ? firstFATSector + i : Int(freeSector)) }
        return h
    }

    /// A 128-byte directory entry, black, without siblings.
    static func directoryEntry(_ name: String, type: UInt8, child: UInt32, start: UInt32, size: Int) -> [UInt8] {
        var e: [UInt8] = []
        let units = Array(name.utf16.prefix(31))
        for unit in units { e.u16(Int(unit)) }
        e += [UInt8](repeating: 0, count: 64 - e.count)
        e.u16((units.count + 1) * 2)
        e.append(type); e.append(1)
        e.u32(Int(noStream)); e.u32(Int(noStream)); e.u32(Int(child))
        e += [UInt8](repeating: 0, count: 16 + 4 + 16)  // CLSID, state bits, creation and modification times
        e.u32(Int(start))
        e.u32(size); e.u32(0)
        return e
    }

    static func unusedEntry() -> [UInt8] {
        var e = [UInt8](repeating: 0, count: 68)
        e.u32(Int(noStream)); e.u32(Int(noStream)); e.u32(Int(noStream))
        e += [UInt8](repeating: 0, count: 48)
        return e
    }
}
