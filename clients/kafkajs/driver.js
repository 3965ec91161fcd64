#!/usr/bin/env node
// Runs ONE kafkajs producer application against a Kafka broker (in the
// harness: the fault-injecting front end on loopback) and prints, as JSON
// lines, what the client told the application about every record. The
// harness compares those reports with what the broker actually appended.
//
// Usage (every flag optional; the default is in brackets):
//   node driver.js
//     --bootstrap HOST:PORT[,HOST:PORT...]  [127.0.0.1:9092]
//     --topic T                  [idemcheck]
//     --records N                records 0..N-1 [10]
//     --partitions P             record n goes to partition n % P [1]
//     --app A                    record n's value is the UTF-8 string "A:n" [app]
//     --idempotent true|false    [kafkajs's default: false]
//     --max-in-flight K          kafkajs maxInFlightRequests [kafkajs's default: no limit]
//     --acks -1|1|0              [-1]
//     --request-timeout-ms X     kafkajs requestTimeout, and the Produce timeout [30000]
//     --retries R                kafkajs retry.retries (client and producer) [5]
//     --retry-initial-ms B       kafkajs retry.initialRetryTime [300]
//     --send-interval-ms I       one send every I ms; 0 issues all at once [0]
//     --client-id C              [idemcheck-kafkajs]
//     --deadline-ms D            bound on the whole run [60000]
//   Flags are `--name value` or `--name=value`, each at most once. An unknown,
//   repeated or malformed flag prints a message on stderr and exits 2.
//
// Output protocol (stdout; one JSON object per line, nothing else is printed
// there; kafkajs logging is off and driver diagnostics go to stderr). "ms" is
// always an integer: milliseconds since the driver started.
//   {"event":"ready","ms":M}
//       connected (and, when idempotent, the producer id obtained); printed
//       once, before the first send.
//   {"event":"report","record":n,"partition":p,"offset":O,"error":E,
//    "error_code":C,"retriable":R,"ms":M}
//       exactly one per record n in 0..N-1, in completion order (not record
//       order). p = n % P.
//       Acknowledged: O is the batch's base offset as a decimal string (null
//       when acks=0, since no response comes), E, C and R are null.
//       Failed: O is null; E is "<error name>: <message>" of the error the
//       send's promise rejected with; C is the Kafka error code (int) of the
//       innermost kafkajs protocol error in that error's cause chain, or null
//       when there is none (timeouts, connection errors, client-side checks);
//       R is the `retriable` flag of the innermost error of the chain (the
//       outer error after exhausted retries is always non-retriable, so the
//       root cause is what says whether the failure was transient), or null
//       when that error has none.
//       Deadline: E is "driver: deadline", O, C and R are null, for every
//       record not yet reported (issued or not) when D ms have passed. The
//       harness treats those records as pending: they may still be written.
//   {"event":"done","acknowledged":a,"failed":f,"ms":M}
//       last line; a + f = N (f counts deadline reports too). Exit code 0.
//   {"event":"fatal","error":"<name>: <message>"}
//       the producer could not be created or connect failed (or did not
//       finish within D ms: "driver: deadline while connecting"); nothing
//       was sent. Exit code 1.
//   A bug in the driver itself exits 3 with a stack trace on stderr.
//
// Each record is its own producer.send() call, issued without waiting for
// earlier ones, because an application that pipelines sends is what exposes
// the client's sequence bookkeeping under retries.
'use strict'

const { Kafka, logLevel, Partitioners } = require('kafkajs')

const startedAt = process.hrtime.bigint()
const sinceStart = () => Number((process.hrtime.bigint() - startedAt) / 1000000n)

const emit = object => process.stdout.write(JSON.stringify(object) + '\n')

class UsageError extends Error {}

const integerIn = (min, max) => text => {
  if (!/^-?[0-9]+$/.test(text)) throw new UsageError(`expected an integer, got "${text}"`)
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`expected an integer in [${min}, ${max}], got "${text}"`)
  }
  return value
}

const nonEmpty = text => {
  if (text.length === 0) throw new UsageError('expected a non-empty string')
  return text
}

const boolean = text => {
  if (text === 'true') return true
  if (text === 'false') return false
  throw new UsageError(`expected true or false, got "${text}"`)
}

const oneOf = allowed => text => {
  if (!allowed.includes(text)) {
    throw new UsageError(`expected one of ${allowed.join(', ')}, got "${text}"`)
  }
  return Number(text)
}

const brokerList = text => {
  const brokers = text.split(',')
  for (const broker of brokers) {
    const match = /^([^:\s]+):([0-9]+)$/.exec(broker)
    if (!match || Number(match[2]) < 1 || Number(match[2]) > 65535) {
      throw new UsageError(`expected HOST:PORT[,HOST:PORT...], got "${text}"`)
    }
  }
  return brokers
}

const INT32_MAX = 2147483647

const FLAGS = {
  bootstrap: { parse: brokerList, fallback: '127.0.0.1:9092' },
  topic: { parse: nonEmpty, fallback: 'idemcheck' },
  records: { parse: integerIn(0, 10000000), fallback: '10' },
  partitions: { parse: integerIn(1, 1000000), fallback: '1' },
  app: { parse: nonEmpty, fallback: 'app' },
  // No fallback: not given, kafkajs's own default applies (a run of the client's defaults).
  idempotent: { parse: boolean, fallback: undefined },
  'max-in-flight': { parse: integerIn(1, 1000000), fallback: undefined },
  acks: { parse: oneOf(['-1', '1', '0']), fallback: '-1' },
  'request-timeout-ms': { parse: integerIn(1, INT32_MAX), fallback: '30000' },
  retries: { parse: integerIn(0, Number.MAX_SAFE_INTEGER), fallback: '5' },
  'retry-initial-ms': { parse: integerIn(0, INT32_MAX), fallback: '300' },
  'send-interval-ms': { parse: integerIn(0, INT32_MAX), fallback: '0' },
  'client-id': { parse: nonEmpty, fallback: 'idemcheck-kafkajs' },
  'deadline-ms': { parse: integerIn(1, INT32_MAX), fallback: '60000' },
}

const parseArguments = argv => {
  const given = {}
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument "${arg}"`)
    const equals = arg.indexOf('=')
    const name = equals === -1 ? arg.slice(2) : arg.slice(2, equals)
    if (!Object.prototype.hasOwnProperty.call(FLAGS, name)) {
      throw new UsageError(`unknown flag "--${name}"`)
    }
    if (Object.prototype.hasOwnProperty.call(given, name)) {
      throw new UsageError(`flag "--${name}" given twice`)
    }
    let value
    if (equals !== -1) {
      value = arg.slice(equals + 1)
    } else {
      if (i + 1 >= argv.length) throw new UsageError(`flag "--${name}" needs a value`)
      value = argv[++i]
    }
    given[name] = value
  }
  const options = {}
  for (const [name, { parse, fallback }] of Object.entries(FLAGS)) {
    const text = Object.prototype.hasOwnProperty.call(given, name) ? given[name] : fallback
    if (text === undefined) continue
    try {
      options[name] = parse(text)
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`--${name}: ${e.message}`)
      throw e
    }
  }
  return options
}

const describe = e => {
  if (e instanceof Error) return `${e.name}: ${e.message}`
  return `${typeof e}: ${String(e)}`
}

// kafkajs wraps the error that ended a send (retries exhausted, bailed) in
// KafkaJSNumberOfRetriesExceeded or KafkaJSNonRetriableError; the Kafka error
// code and the transient-or-not verdict live on the error underneath.
const causeChain = e => {
  const chain = []
  for (let at = e; at instanceof Error && !chain.includes(at); at = at.cause) chain.push(at)
  return chain
}

const failureReport = e => {
  const chain = causeChain(e)
  const protocolErrors = chain.filter(
    c => c.name === 'KafkaJSProtocolError' || Number.isInteger(c.code)
  )
  const innermost = chain.length > 0 ? chain[chain.length - 1] : null
  const codeCarrier = protocolErrors.length > 0 ? protocolErrors[protocolErrors.length - 1] : null
  return {
    offset: null,
    error: describe(e),
    error_code: codeCarrier && Number.isInteger(codeCarrier.code) ? codeCarrier.code : null,
    retriable: innermost && typeof innermost.retriable === 'boolean' ? innermost.retriable : null,
  }
}

const main = async () => {
  let options
  try {
    options = parseArguments(process.argv.slice(2))
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    process.stderr.write(`driver.js: ${e.message}\n`)
    process.exit(2)
  }

  const records = options.records
  const partitions = options.partitions
  const topic = options.topic
  const reported = new Array(records).fill(false)
  let acknowledged = 0
  let failed = 0
  let finished = false

  const report = (n, fields) => {
    if (finished || reported[n]) return
    reported[n] = true
    if (fields.error === null) acknowledged++
    else failed++
    emit({
      event: 'report',
      record: n,
      partition: n % partitions,
      offset: fields.offset,
      error: fields.error,
      error_code: fields.error_code,
      retriable: fields.retriable,
      ms: sinceStart(),
    })
  }

  let connected = false
  const deadline = setTimeout(() => {
    if (!connected) {
      emit({ event: 'fatal', error: 'driver: deadline while connecting' })
      process.exit(1)
    }
    for (let n = 0; n < records; n++) {
      report(n, { offset: null, error: 'driver: deadline', error_code: null, retriable: null })
    }
    finished = true
    emit({ event: 'done', acknowledged, failed, ms: sinceStart() })
    // Sends still in kafkajs's hands would keep the process alive (and may
    // retry for a long time); their outcome no longer matters.
    process.exit(0)
  }, options['deadline-ms'])

  let producer
  try {
    const kafka = new Kafka({
      clientId: options['client-id'],
      brokers: options.bootstrap,
      requestTimeout: options['request-timeout-ms'],
      retry: { retries: options.retries, initialRetryTime: options['retry-initial-ms'] },
      logLevel: logLevel.NOTHING,
    })
    producer = kafka.producer({
      idempotent: options.idempotent,
      maxInFlightRequests: options['max-in-flight'],
      // Every record names its partition, so the partitioner is never asked;
      // naming it explicitly keeps kafkajs from warning about its default.
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    await producer.connect()
  } catch (e) {
    emit({ event: 'fatal', error: describe(e) })
    process.exit(1)
  }
  connected = true
  emit({ event: 'ready', ms: sinceStart() })

  const send = n => {
    const partition = n % partitions
    let outcome
    try {
      outcome = producer.send({
        topic,
        acks: options.acks,
        timeout: options['request-timeout-ms'],
        messages: [{ key: null, value: `${options.app}:${n}`, partition }],
      })
    } catch (e) {
      outcome = Promise.reject(e)
    }
    return outcome.then(
      metadata => {
        const entry = (metadata || []).find(m => m.partition === partition)
        const offset = entry && entry.baseOffset != null ? String(entry.baseOffset) : null
        report(n, { offset, error: null, error_code: null, retriable: null })
      },
      e => report(n, failureReport(e))
    )
  }

  const interval = options['send-interval-ms']
  const sends = []
  for (let n = 0; n < records; n++) {
    if (interval === 0) {
      sends.push(send(n))
    } else {
      // Timers from one origin rather than chained, so that a slow send
      // never delays the ones scheduled after it.
      sends.push(new Promise(resolve => setTimeout(() => resolve(send(n)), n * interval)))
    }
  }
  await Promise.all(sends)

  clearTimeout(deadline)
  finished = true
  emit({ event: 'done', acknowledged, failed, ms: sinceStart() })
  // A broker that stops answering must not turn a finished run into a hang.
  const disconnectBound = setTimeout(() => process.exit(0), 5000)
  try {
    await producer.disconnect()
  } catch (e) {
    process.stderr.write(`driver.js: disconnect failed: ${describe(e)}\n`)
  }
  clearTimeout(disconnectBound)
  process.exit(0)
}

main().catch(e => {
  process.stderr.write(`driver.js: internal error: ${e && e.stack ? e.stack : String(e)}\n`)
  process.exit(3)
})
