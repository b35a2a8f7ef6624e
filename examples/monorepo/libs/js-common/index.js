exports.signature = (secret, body) => require('node:crypto').createHmac('sha256', secret).update(body).digest('hex');
