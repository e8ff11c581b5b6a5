// Allocation is measured process-wide (GC.GetTotalAllocatedBytes), so the fuzz tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
