import Foundation
import RunSupport
import TestSupport
import Testing

@Suite struct ParallelTests {
    @Test(arguments: [0, 1, 4095, 4096, 4097, 100_000])
    func parallelMapKeepsOrder(_ count: Int) {
        #expect(parallelMap(count: count) { $0 * 3 } == (0..<count).map { $0 * 3 })
    }

    @Test func parallelChunksJoinInOrder() {
        let chunks = parallelChunks(count: 10_001, chunkSize: 97) { range in range.map { "\($0)" } }
        #expect(chunks == (0..<10_001).map { "\($0)" })
    }

    @Test func concurrentlyReturnsEachResultAndTheFirstError() throws {
        let (a, b, c, seconds) = concurrently({ 1 }, { "two" }, { [3.0] })
        #expect(a == 1 && b == "two" && c == [3.0])
        #expect(seconds.0 >= 0 && seconds.1 >= 0 && seconds.2 >= 0)
        struct Failure: Error, Equatable { let piece: Int }
        #expect(throws: Failure(piece: 2)) {
            _ = try concurrently({ () throws(Failure) -> Int in 1 }, { () throws(Failure) -> Int in throw Failure(piece: 2) })
        }
    }

    /// The state lives on the worker's thread only: made there, changed by each job in order.
    @Test func aThreadConfinedValueIsMadeAndUsedOnItsThread() throws {
        let caller = pthread_self()
        let worker = try ThreadConfined(name: "test") { (thread: pthread_self(), values: [Int]()) }
        for value in 0..<100 { worker.async { $0.values.append(value) } }
        let (madeOn, ranOn, values) = try worker.sync { state in (UInt(state.thread), UInt(pthread_self()), state.values) }
        #expect(madeOn == ranOn && madeOn != UInt(caller))
        #expect(values == Array(0..<100))
        worker.close()
    }

    @Test func aPromiseHandsOverItsFirstValue() {
        let promise = Promise<Int>()
        Thread { promise.fulfil(7); promise.fulfil(8) }.start()
        #expect(promise.wait() == 7)
    }
}
