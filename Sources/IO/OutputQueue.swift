/// Output waiting for the kernel: a list of owned chunks, the first one partly sent.
struct OutputQueue {
    private var chunks: [ArraySlice<UInt8>] = []
    private var head = 0
    private(set) var byteCount = 0

    var isEmpty: Bool { byteCount == 0 }

    var first: ArraySlice<UInt8>? { head < chunks.count ? chunks[head] : nil }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        chunks.append(ArraySlice(bytes))
        byteCount += bytes.count
    }

    mutating func consume(_ n: Int) {
        byteCount -= n
        let remaining = chunks[head].count - n
        if remaining > 0 {
            chunks[head] = chunks[head].suffix(remaining)
            return
        }
        // Release the sent chunk now, and drop the spent prefix of the list once it dominates, so a connection
        // that never fully drains (a slow reader of a long stream) does not keep every chunk it ever sent.
        chunks[head] = []
        head += 1
        if head == chunks.count {
            chunks.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= chunks.count {
            chunks.removeFirst(head)
            head = 0
        }
    }

    mutating func removeAll() {
        chunks.removeAll()
        head = 0
        byteCount = 0
    }
}
